#include "webhooks/event_types.hpp"

#include <boost/json/parse.hpp>

#include "tasks/task_writer.hpp"

namespace todo::webhooks {

bool known_event_type(std::string_view type) {
  for (auto t : kEventTypes)
    if (t == type) return true;
  return false;
}

std::optional<std::string> webhook_event_type(const bus::Event& event) {
  boost::system::error_code ec;
  auto value = boost::json::parse(event.payload, ec);
  const auto* o = ec ? nullptr : value.if_object();
  if (!o) return std::nullopt;
  if (event.topic == "reminders") return std::string("reminder.fired");
  const auto* type = o->if_contains("event_type");
  if (!type || !type->is_string()) return std::nullopt;
  std::string t = "task." + std::string(type->as_string());
  if (!known_event_type(t)) return std::nullopt;
  return t;
}

std::string webhook_body(std::string_view type, std::string_view payload) {
  std::string body = "{\"type\":";
  append_json_string(body, type);
  std::size_t open = payload.find('{');
  std::string_view rest = open == std::string_view::npos ? "}" : payload.substr(open + 1);
  // An empty object "{}" needs no separating comma.
  std::size_t first = rest.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && rest[first] != '}') body += ',';
  body += rest;
  return body;
}

bool wants_type(std::string_view event_types, std::string_view type) {
  boost::system::error_code ec;
  auto value = boost::json::parse(event_types, ec);
  const auto* a = ec ? nullptr : value.if_array();
  if (!a) return false;
  for (const auto& t : *a)
    if (t.is_string() && t.as_string() == type) return true;
  return false;
}

std::string event_types_json(const std::vector<std::string>& types) {
  std::string out = "[";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, types[i]);
  }
  return out + "]";
}

}  // namespace todo::webhooks
