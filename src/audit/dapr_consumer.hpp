#pragma once
// The audit role's side of Dapr pub/sub (ARCHITECTURE.md §4): GET /dapr/subscribe tells the
// sidecar what to deliver where, and POST /dapr/<topic> takes each delivery.
//
// Answers: SUCCESS once the event is stored (or was stored already: redeliveries are
// normal, the unique event_id makes them no-ops); RETRY when the database cannot take it
// now (Dapr redelivers); DROP for an event that fails the schema (the sidecar moves it to
// <topic>-dlq) — logged and counted, never retried forever. With APP_API_TOKEN set, a
// delivery without the matching `dapr-api-token` header gets 401 and changes nothing.
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo::audit {

void register_dapr_consumer_routes(http::Router& router, Services& services);

}  // namespace todo::audit
