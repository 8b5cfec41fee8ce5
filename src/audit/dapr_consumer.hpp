#pragma once
// The audit role's side of Dapr pub/sub (ARCHITECTURE.md §4): GET /dapr/subscribe tells the
// sidecar what to deliver where, and POST /dapr/<topic> takes each delivery: one event, or
// (with bulk subscribe, the default) a bulk of up to --dapr-bulk-max-messages events
// stored in one transaction and answered with a status per entry.
//
// Answers (per event): SUCCESS once the event is stored (or was stored already:
// redeliveries are normal, the unique event_id makes them no-ops); RETRY when the database
// cannot be reached now (Dapr redelivers); DROP for an event that fails the schema or that
// the database refuses (the sidecar moves it to <topic>-dlq) — logged and counted, never
// retried forever. With APP_API_TOKEN set, a
// delivery without the matching `dapr-api-token` header gets 401 and changes nothing.
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo::audit {

void register_dapr_consumer_routes(http::Router& router, Services& services);

// Body limit for /dapr/ deliveries: large enough for a full bulk of the largest events.
std::size_t dapr_delivery_body_limit(const Config& config);

}  // namespace todo::audit
