#include "bus/dapr/bulk_delivery.hpp"

#include <boost/json.hpp>

#include "bus/dapr/cloud_event.hpp"

namespace todo::bus::dapr {
namespace {

std::string_view string_member(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

// An entry's "event" given as a string: a rawPayload subscription's entries carry the
// published bytes base64-encoded (RFC 4648); JSON text is taken as such too.
Result<std::string> event_from_string_entry(const boost::json::string& text,
                                            std::string_view content_type) {
  if (auto bytes = decode_base64(text)) return event_from_delivery(*bytes, content_type);
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (!ec) return event_from_delivery(value, text, content_type);
  return Error::field(ErrorKind::validation, "event",
                      "is neither a CloudEvent, nor base64, nor JSON text");
}

}  // namespace

std::optional<std::vector<BulkEntry>> bulk_delivery_entries(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  const auto* envelope = ec ? nullptr : value.if_object();
  const auto* entries =
      envelope && !envelope->contains("specversion") ? envelope->if_contains("entries") : nullptr;
  if (!entries || !entries->is_array()) return std::nullopt;
  std::vector<BulkEntry> out;
  out.reserve(entries->as_array().size());
  for (const auto& item : entries->as_array()) {
    const auto* entry = item.if_object();
    const auto* id = entry ? entry->if_contains("entryId") : nullptr;
    if (!id || !id->is_string() || id->as_string().empty()) continue;
    const auto* event = entry->if_contains("event");
    // Each entry says what its event is (application/cloudevents+json, application/json).
    const std::string_view content_type = string_member(*entry, "contentType");
    Result<std::string> parsed =
        !event ? Result<std::string>(
                     Error::field(ErrorKind::validation, "event", "is missing from the entry"))
        : event->is_string() ? event_from_string_entry(event->as_string(), content_type)
                             : event_from_delivery(*event, {}, content_type);
    out.push_back({std::string(id->as_string()), std::move(parsed)});
  }
  return out;
}

std::string bulk_statuses_body(const std::vector<BulkStatus>& statuses) {
  boost::json::array list;
  list.reserve(statuses.size());
  for (const auto& s : statuses)
    list.push_back(boost::json::object{
        {"entryId", boost::json::string_view(s.entry_id.data(), s.entry_id.size())},
        {"status", s.status}});
  return boost::json::serialize(boost::json::object{{"statuses", std::move(list)}});
}

}  // namespace todo::bus::dapr
