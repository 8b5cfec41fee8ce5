#pragma once
// The webhook routes (ARCHITECTURE.md §3; openapi/openapi.json), each for the path's own user
// only (401 without a token, 403 for another user's path, 404 for another user's endpoint):
//   POST   /api/{user_id}/webhooks {url, event_types}   -> 201 Webhook + secret (shown once)
//   GET    /api/{user_id}/webhooks                      -> {items} (never the secret)
//   GET    /api/{user_id}/webhooks/{id}                 -> Webhook
//   PATCH  /api/{user_id}/webhooks/{id} {url?, event_types?, enabled?} -> Webhook
//          (enabled: true after a disable starts a new run of failures)
//   DELETE /api/{user_id}/webhooks/{id}                 -> 204 (its deliveries go too)
//   POST   /api/{user_id}/webhooks/{id}/test            -> 202 {event_id, msg_id}: a
//          webhook.test delivery queued now (409 when the endpoint is disabled)
//   GET    /api/{user_id}/webhooks/{id}/deliveries?limit=&cursor= -> {items, next_cursor},
//          newest first
// A URL is checked at creation and on change (webhooks/address_guard.hpp, on the CPU pool):
// 422 naming url when it is malformed, not https (unless allowed), or resolves to an address
// webhooks may not reach. At most max_per_user endpoints per user (409 beyond).
#include <functional>

#include "auth/authenticator.hpp"
#include "core/cpu_pool.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "webhooks/address_guard.hpp"
#include "webhooks/endpoint_users.hpp"

namespace todo::webhooks {

struct RouteDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  CpuPool& cpu;
  const AddressGuard& guard;
  int max_per_user = 20;
  std::function<void()> queued;             // wakes the delivery worker
  EndpointUsers* endpoint_users = nullptr;  // told of each new endpoint after its commit
};

void add_webhook_routes(http::Router& router, RouteDeps& deps);

}  // namespace todo::webhooks
