#include "bus/event.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace todo::bus {
namespace {

const boost::json::string* string_member(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

// Control characters (NUL above all) cannot go into a text column.
bool printable_id(const boost::json::string* v, std::size_t max) {
  return v && !v->empty() && v->size() <= max &&
         std::none_of(v->begin(), v->end(), [](char c) { return (unsigned char)c < 0x20; });
}

}  // namespace

const boost::json::value& Event::json() const {
  if (!parsed) {
    boost::system::error_code ec;
    auto value = boost::json::parse(payload, ec);
    parsed =
        std::make_shared<const boost::json::value>(ec ? boost::json::value() : std::move(value));
  }
  return *parsed;
}

Result<Event> event_from_payload(std::string payload, std::string_view topic, Millis received_at) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec || !value.is_object())
    return Error::field(ErrorKind::validation, "event", "is not a JSON object");
  const auto& o = value.as_object();
  const auto* event_id = string_member(o, "event_id");
  const auto* user_id = string_member(o, "user_id");
  if (!printable_id(event_id, 64))
    return Error::field(ErrorKind::validation, "event_id", "is missing or invalid");
  if (!printable_id(user_id, 128))
    return Error::field(ErrorKind::validation, "user_id", "is missing or invalid");
  Event e;
  e.event_id = std::string(*event_id);
  e.user_id = std::string(*user_id);
  e.topic = std::string(topic);
  const auto* timestamp = string_member(o, "timestamp");
  e.created_at = timestamp ? parse_rfc3339(*timestamp).value_or(received_at) : received_at;
  e.payload = std::move(payload);
  return e;
}

}  // namespace todo::bus
