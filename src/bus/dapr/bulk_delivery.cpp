#include "bus/dapr/bulk_delivery.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "bus/dapr/cloud_event.hpp"

namespace todo::bus::dapr {
namespace {

// A rawPayload subscription's entries carry the published bytes base64-encoded.
Result<std::string> event_from_raw_entry(const boost::json::string& text) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return Error::field(ErrorKind::validation, "event", "is neither a CloudEvent nor base64");
  bytes.resize(length);
  return event_from_delivery(bytes);
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
    Result<std::string> parsed =
        !event ? Result<std::string>(
                     Error::field(ErrorKind::validation, "event", "is missing from the entry"))
        : event->is_string() ? event_from_raw_entry(event->as_string())
                             : event_from_delivery(*event, {});
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
