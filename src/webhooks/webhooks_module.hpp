#pragma once
// webhooks: signed webhooks (issue 11, item 4; src/webhooks/README.md).
//   - the routes of webhooks/webhook_routes.hpp (/api/{user_id}/webhooks...);
//   - the consumers "webhooks" (task-events) and "webhooks-reminders" (reminders) queue a
//     delivery per interested endpoint (webhooks/webhook_consumer.hpp);
//   - the delivery worker sends them, signed per the Standard Webhooks specification, with
//     retries, and disables failing endpoints (webhooks/delivery_worker.hpp).
// Options (section "Webhooks" of --help): --webhook-allow-http, --webhook-allow,
// --webhook-resolve, --webhook-max-per-user, --webhook-max-failures, --webhook-max-in-flight,
// --webhook-retry-scale.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::webhooks {

struct WebhookOptions {
  bool allow_http = false;
  std::string allow;    // CIDRs and host:port entries the address check lets through
  std::string resolve;  // name:address entries used instead of DNS
  int max_per_user = 20;
  int max_failures = 20;
  int max_in_flight = 64;
  std::string retry_scale = "1";  // the retry schedule x this (a decimal > 0)
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::webhooks
