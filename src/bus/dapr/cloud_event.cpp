#include "bus/dapr/cloud_event.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace todo::bus::dapr {
namespace {

std::string quoted(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

struct EventHeader {
  std::string type;
  std::string time;
};

// Only the two fields the envelope repeats; the payload itself is copied verbatim.
EventHeader header_of(const storage::OutboxRow& row) {
  boost::system::error_code ec;
  auto value = boost::json::parse(row.payload, ec);
  const auto* o = ec ? nullptr : value.if_object();
  const auto* type = o ? o->if_contains("event_type") : nullptr;
  const auto* time = o ? o->if_contains("timestamp") : nullptr;
  if (!type || !type->is_string() || !time || !time->is_string())
    throw std::invalid_argument("outbox row " + row.event_id + " holds no task event");
  return {std::string(type->as_string()), std::string(time->as_string())};
}

}  // namespace

std::string cloud_event(const storage::OutboxRow& row, std::string_view source) {
  EventHeader h = header_of(row);
  std::string out;
  out.reserve(row.payload.size() + 256);
  out += R"({"specversion":"1.0","id":)";
  out += quoted(row.event_id);
  out += R"(,"source":)";
  out += quoted(source);
  out += R"(,"type":)";
  out += quoted("todo.task." + h.type);
  out += R"(,"time":)";
  out += quoted(h.time);
  out += R"(,"datacontenttype":"application/json","partitionkey":)";
  out += quoted(row.user_id);
  out += R"(,"data":)";
  out += row.payload;
  out += '}';
  return out;
}

std::string bulk_publish_body(const std::vector<storage::OutboxRow>& rows,
                              std::string_view source) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += R"({"entryId":)";
    out += quoted(rows[i].event_id);
    out += R"(,"contentType":"application/cloudevents+json","metadata":{"partitionKey":)";
    out += quoted(rows[i].user_id);
    out += R"(},"event":)";
    out += cloud_event(rows[i], source);
    out += '}';
  }
  return out + "]";
}

std::string publish_query(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "metadata.partitionKey=";
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::string> event_from_delivery(const boost::json::value& value, std::string_view raw) {
  if (!value.is_object())
    return Error::field(ErrorKind::validation, "body", "is not a JSON object");
  const auto& o = value.as_object();
  if (!o.contains("specversion"))  // a raw event
    return raw.empty() ? boost::json::serialize(value) : std::string(raw);
  const auto* data = o.if_contains("data");
  if (!data) {
    if (o.contains("data_base64"))
      return Error::field(ErrorKind::validation, "data_base64", "binary data is not an event");
    return Error::field(ErrorKind::validation, "data", "is missing from the CloudEvent");
  }
  if (data->is_object()) return boost::json::serialize(*data);
  if (data->is_string()) {
    // Some publishers send the event as a JSON document inside a string.
    boost::system::error_code ec;
    auto inner = boost::json::parse(data->as_string(), ec);
    if (!ec && inner.is_object()) return boost::json::serialize(inner);
  }
  return Error::field(ErrorKind::validation, "data", "is not a JSON object");
}

Result<std::string> event_from_delivery(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) return Error::field(ErrorKind::validation, "body", "is not a JSON object");
  return event_from_delivery(value, body);
}

}  // namespace todo::bus::dapr
