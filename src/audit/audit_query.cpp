#include "audit/audit_query.hpp"

#include <sodium.h>

#include <charconv>

#include "core/base64.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "http/id_paging.hpp"

namespace todo::audit {
namespace {

constexpr std::string_view kCursorPrefix = "audit:";

std::optional<std::int64_t> positive_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

std::string encode_audit_cursor(std::int64_t before_id) {
  std::string raw = std::string(kCursorPrefix) + std::to_string(before_id);
  std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::int64_t> decode_audit_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64) return std::nullopt;
  if (!base64_alphabet_only(cursor, Base64Alphabet::url)) return std::nullopt;  // core/base64.hpp
  unsigned char raw[64];
  std::size_t len = 0;
  if (sodium_base642bin(raw, sizeof raw, cursor.data(), cursor.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  std::string_view text(reinterpret_cast<const char*>(raw), len);
  if (!text.starts_with(kCursorPrefix)) return std::nullopt;
  return positive_int(text.substr(kCursorPrefix.size()));
}

Result<storage::AuditQuery> parse_audit_query(const boost::urls::params_view& params) {
  storage::AuditQuery q;
  Error error{ErrorKind::bad_request};
  auto bad = [&error](std::string field, std::string message) {
    error.errors.push_back({std::move(field), std::move(message)});
  };
  http::refuse_repeated_params(params, error.errors, {"event_type"});
  for (const auto& p : params) {
    std::string_view key = p.key;
    std::string_view value = p.value;
    if (key.empty() && value.empty()) continue;  // "?" alone, or a stray "&"
    if (key == "event_type") {
      if (!is_event_type(value))
        bad("event_type", "must be one of created, updated, completed, deleted");
      else if (q.event_types.size() < 4)
        q.event_types.emplace_back(value);
    } else if (key == "task_id") {
      if (auto id = positive_int(value))
        q.task_id = *id;
      else
        bad("task_id", "must be a positive integer");
    } else if (key == "from" || key == "to") {
      auto t = parse_rfc3339(value);
      if (!t)
        bad(std::string(key), "must be an RFC 3339 date-time like 2026-12-01T09:00:00Z");
      else
        (key == "from" ? q.from : q.to) = *t;
    } else if (key == "limit") {
      auto n = positive_int(value);
      if (!n || *n > 200)
        bad("limit", "must be an integer from 1 to 200");
      else
        q.limit = int(*n);
    } else if (key == "cursor") {
      if (value.empty()) continue;
      auto id = decode_audit_cursor(value);
      if (!id)
        bad("cursor", "is not a cursor this API returned");
      else
        q.before_id = *id;
    } else {
      std::string name(key.substr(0, 64));
      bad(name, "is not a known parameter (event_type, task_id, from, to, limit, cursor)");
    }
  }
  if (!error.errors.empty()) {
    for (const auto& e : error.errors)
      error.detail += (error.detail.empty() ? "" : "; ") + e.field + " " + e.message;
    return error;
  }
  return q;
}

}  // namespace todo::audit
