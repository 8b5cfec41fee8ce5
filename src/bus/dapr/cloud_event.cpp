#include "bus/dapr/cloud_event.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "core/base64.hpp"

namespace todo::bus::dapr {
namespace {

std::string quoted(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

struct EventHeader {
  std::string type;
  std::string time;
};

// Only the two fields the envelope repeats; the payload itself is copied verbatim. A task
// event's type is todo.task.<event_type>; a fired reminder's (topic `reminders`) is
// todo.reminder.fired.
EventHeader header_of(const storage::OutboxRow& row) {
  boost::system::error_code ec;
  auto value = boost::json::parse(row.payload, ec);
  const auto* o = ec ? nullptr : value.if_object();
  const auto* type = o ? o->if_contains("event_type") : nullptr;
  const auto* time = o ? o->if_contains("timestamp") : nullptr;
  if (!time || !time->is_string())
    throw std::invalid_argument("outbox row " + row.event_id + " holds no event timestamp");
  if (type && type->is_string())
    return {"todo.task." + std::string(type->as_string()), std::string(time->as_string())};
  if (row.topic == "reminders") return {"todo.reminder.fired", std::string(time->as_string())};
  throw std::invalid_argument("outbox row " + row.event_id + " holds no event of a known kind");
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
  out += quoted(h.type);
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

std::string media_type(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_json_media_type(std::string_view content_type) {
  const std::string type = media_type(content_type);
  return type == "application/json" || type == "text/json" ||
         (type.find('/') != std::string::npos && type.ends_with("+json"));
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (!base64_alphabet_only(text, Base64Alphabet::standard)) return std::nullopt;
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  bytes.resize(length);
  return bytes;
}

namespace {

Error refused(const char* field, std::string why) {
  return Error::field(ErrorKind::validation, field, std::move(why));
}

// The JSON object in `text` (serialized again, so that what is stored is plain JSON).
std::optional<std::string> json_object_text(std::string_view text) {
  boost::system::error_code ec;
  auto inner = boost::json::parse(text, ec);
  if (ec || !inner.is_object()) return std::nullopt;
  return boost::json::serialize(inner);
}

std::string described(const boost::json::object& ce) {
  const auto* dct = ce.if_contains("datacontenttype");
  if (!dct || !dct->is_string()) return "";
  return " (datacontenttype " + std::string(dct->as_string()) + ")";
}

// A structured CloudEvent's data (§3.1: "data" or "data_base64", never both).
Result<std::string> data_of(const boost::json::object& ce) {
  const auto* data = ce.if_contains("data");
  const auto* b64 = ce.if_contains("data_base64");
  if (data && b64) return refused("data", "and data_base64 must not both be present");
  if (b64) {
    if (!b64->is_string()) return refused("data_base64", "must be a base64 string");
    auto bytes = decode_base64(b64->as_string());
    if (!bytes) return refused("data_base64", "is not RFC 4648 base64");
    if (auto text = json_object_text(*bytes)) return std::move(*text);
    return refused("data_base64", "does not hold a JSON object" + described(ce));
  }
  if (!data || data->is_null()) return refused("data", "is missing from the CloudEvent");
  if (data->is_object()) return boost::json::serialize(*data);
  if (data->is_string()) {
    // JSON published as text: Dapr wraps it as a string (datacontenttype text/plain, or a
    // JSON type with the document double-encoded).
    if (auto text = json_object_text(data->as_string())) return std::move(*text);
    return refused("data", "is a string that holds no JSON object" + described(ce));
  }
  return refused("data", "is not a JSON object" + described(ce));
}

// §3.1: the REQUIRED context attributes, as non-empty strings.
std::optional<Error> missing_attribute(const boost::json::object& ce) {
  const auto* version = ce.if_contains("specversion");
  if (!version) return refused("specversion", "is required in a structured CloudEvent");
  if (!version->is_string() || version->as_string() != "1.0")
    return refused("specversion", "must be \"1.0\" (CloudEvents 1.0)");
  for (const char* name : {"id", "source", "type"}) {
    const auto* v = ce.if_contains(name);
    if (!v) return refused(name, "is required in a CloudEvent");
    if (!v->is_string() || v->as_string().empty())
      return refused(name, "must be a non-empty string");
  }
  if (const auto* dct = ce.if_contains("datacontenttype"); dct && !dct->is_string())
    return refused("datacontenttype", "must be a string");
  return std::nullopt;
}

}  // namespace

Result<std::string> event_from_delivery(const boost::json::value& value, std::string_view raw,
                                        std::string_view content_type) {
  const bool structured = media_type(content_type) == "application/cloudevents+json";
  if (!value.is_object())
    return refused("body",
                   structured ? "is not a CloudEvent (a JSON object)" : "is not a JSON object");
  const auto& o = value.as_object();
  if (!structured && !o.contains("specversion"))  // a raw event
    return raw.empty() ? boost::json::serialize(value) : std::string(raw);
  if (auto e = missing_attribute(o)) return std::move(*e);
  return data_of(o);
}

Result<std::string> event_from_delivery(std::string_view body, std::string_view content_type) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) return refused("body", "is not JSON");
  return event_from_delivery(value, body, content_type);
}

}  // namespace todo::bus::dapr
