#pragma once
// The JSON of webhook endpoints and deliveries (openapi/openapi.json: Webhook,
// WebhookCreated, WebhookDelivery), and the parsing of the create/PATCH bodies. Pure.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "storage/webhook_store.hpp"

namespace todo::webhooks {

// {id, url, event_types, enabled, disabled_reason, consecutive_failures, created_at,
// updated_at}, plus "secret" when `with_secret` (the creation answer only).
void append_webhook_json(std::string& out, const storage::Webhook& w, bool with_secret = false);
std::string webhook_list_json(const std::vector<storage::Webhook>& hooks);  // {items}
// {id, event_id, event_type, msg_id, attempt, state, status_code, error, duration_ms,
// next_attempt_at, created_at, updated_at}
void append_delivery_json(std::string& out, const storage::WebhookDelivery& d);
std::string delivery_page_json(const storage::DeliveryPage& page);  // {items, next_cursor}

// A create or PATCH body. Create needs url and event_types; PATCH at least one field.
struct WebhookInput {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;  // known, unique, 1..5
  std::optional<bool> enabled;
};
// ErrorKind::validation naming each bad field ("url", "event_types[1]", unknown fields).
Result<WebhookInput> parse_webhook_input(const boost::json::value& body, bool create);

}  // namespace todo::webhooks
