#include "webhooks/webhook_json.hpp"

#include <algorithm>

#include "tasks/task_writer.hpp"
#include "webhooks/event_types.hpp"

namespace todo::webhooks {
namespace {

std::string known_types_list() {
  std::string out;
  for (auto t : kEventTypes) out += (out.empty() ? "" : ", ") + std::string(t);
  return out;
}

}  // namespace

void append_webhook_json(std::string& out, const storage::Webhook& w, bool with_secret) {
  out += "{\"id\":" + std::to_string(w.id) + ",\"url\":";
  append_json_string(out, w.url);
  out += ",\"event_types\":" + w.event_types;
  out += w.enabled ? ",\"enabled\":true" : ",\"enabled\":false";
  out += ",\"disabled_reason\":";
  if (w.disabled_reason)
    append_json_string(out, *w.disabled_reason);
  else
    out += "null";
  out += ",\"consecutive_failures\":" + std::to_string(w.consecutive_failures);
  out += ",\"created_at\":";
  append_json_time(out, w.created_at);
  out += ",\"updated_at\":";
  append_json_time(out, w.updated_at);
  if (with_secret) {
    out += ",\"secret\":";
    append_json_string(out, w.secret);
  }
  out += '}';
}

std::string webhook_list_json(const std::vector<storage::Webhook>& hooks) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    if (i) out += ',';
    append_webhook_json(out, hooks[i]);
  }
  return out + "]}";
}

void append_delivery_json(std::string& out, const storage::WebhookDelivery& d) {
  out += "{\"id\":" + std::to_string(d.id) + ",\"event_id\":";
  append_json_string(out, d.event_id);
  out += ",\"event_type\":";
  append_json_string(out, d.event_type);
  out += ",\"msg_id\":";
  append_json_string(out, d.msg_id);
  out += ",\"attempt\":" + std::to_string(d.attempt) + ",\"state\":\"";
  out += storage::delivery_state_name(d.state);
  out += "\",\"status_code\":";
  out += d.last_status ? std::to_string(*d.last_status) : "null";
  out += ",\"error\":";
  if (d.last_error)
    append_json_string(out, *d.last_error);
  else
    out += "null";
  out += ",\"duration_ms\":";
  out += d.duration_ms ? std::to_string(*d.duration_ms) : "null";
  out += ",\"next_attempt_at\":";
  // Only a pending delivery has a next attempt.
  append_json_time(out,
                   d.state == storage::DeliveryState::pending ? d.next_attempt_at : std::nullopt);
  out += ",\"created_at\":";
  append_json_time(out, d.created_at);
  out += ",\"updated_at\":";
  append_json_time(out, d.updated_at);
  out += '}';
}

std::string delivery_page_json(const storage::DeliveryPage& page) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i) out += ',';
    append_delivery_json(out, page.items[i]);
  }
  out += "],\"next_cursor\":";
  out += page.next_before_id ? "\"" + std::to_string(*page.next_before_id) + "\"" : "null";
  return out + "}";
}

Result<WebhookInput> parse_webhook_input(const boost::json::value& body, bool create) {
  if (!body.is_object())
    return Error::field(ErrorKind::validation, "body",
                        "must be a JSON object {url, event_types, enabled}");
  WebhookInput in;
  Error error{ErrorKind::validation};
  auto bad = [&](std::string field, std::string message) {
    error.errors.push_back({std::move(field), std::move(message)});
  };
  for (const auto& [key, value] : body.as_object()) {
    if (key == "url") {
      if (!value.is_string())
        bad("url", "must be a string");
      else
        in.url = std::string(value.as_string());
    } else if (key == "event_types") {
      if (!value.is_array() || value.as_array().empty() ||
          value.as_array().size() > kEventTypes.size()) {
        bad("event_types", "must be a non-empty array of event types (" + known_types_list() + ")");
        continue;
      }
      std::vector<std::string> types;
      const auto& a = value.as_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::string field = "event_types[" + std::to_string(i) + "]";
        if (!a[i].is_string() || !known_event_type(a[i].as_string())) {
          bad(field, "must be one of " + known_types_list());
          continue;
        }
        std::string t(a[i].as_string());
        if (std::find(types.begin(), types.end(), t) != types.end())
          bad(field, "repeats " + t);
        else
          types.push_back(std::move(t));
      }
      in.event_types = std::move(types);
    } else if (key == "enabled") {
      if (!value.is_bool())
        bad("enabled", "must be true or false");
      else
        in.enabled = value.as_bool();
    } else {
      bad(std::string(key.substr(0, 64)), "is not a known field (url, event_types, enabled)");
    }
  }
  if (create && !in.url && !body.as_object().contains("url")) bad("url", "is required");
  if (create && !in.event_types && !body.as_object().contains("event_types"))
    bad("event_types", "is required");
  if (!create && body.as_object().empty())
    bad("body", "must change at least one of url, event_types, enabled");
  if (error.errors.empty()) return in;
  for (const auto& e : error.errors)
    error.detail += (error.detail.empty() ? "" : "; ") + e.field + " " + e.message;
  return error;
}

}  // namespace todo::webhooks
