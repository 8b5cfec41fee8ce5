#include "tasks/cursor.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/base64.hpp"
#include "tasks/task_search.hpp"

namespace todo {
namespace {

// A title key is at most kMaxTitleKeyBytes today; cursors issued before title keys were
// folded carry the raw title (<= 500 code points, <= 2000 bytes, a little more once
// escaped). Anything much longer than that cannot be a cursor we issued.
constexpr std::size_t kMaxCursorChars = 4096;

Error cursor_error(std::string message) {
  return Error::field(ErrorKind::bad_request, "cursor", std::move(message));
}

// base64url without padding via libsodium (already a dependency), which also rejects
// non-canonical trailing bits, so each cursor has exactly one spelling.
std::string base64url_encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // drop the terminating NUL sodium writes
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (!base64_alphabet_only(text, Base64Alphabet::url)) return std::nullopt;  // core/base64.hpp
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<std::int64_t> as_int64(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  return std::nullopt;  // uint64 values are > INT64_MAX, doubles are not keys we issue
}

}  // namespace

std::string encode_cursor(const Cursor& cursor) {
  boost::json::object doc;
  doc["s"] = sort_field_name(cursor.sort);
  doc["o"] = cursor.ascending ? "a" : "d";
  if (const auto* k = std::get_if<std::int64_t>(&cursor.key)) {
    doc["k"] = *k;
  } else {
    doc["k"] = std::get<std::string>(cursor.key);
  }
  doc["i"] = cursor.id;
  return base64url_encode(boost::json::serialize(doc));
}

Result<Cursor> decode_cursor(std::string_view text, SortField sort, std::optional<bool> ascending) {
  if (text.empty() || text.size() > kMaxCursorChars) return cursor_error("is not a valid cursor");
  const std::optional<std::string> raw = base64url_decode(text);
  if (!raw) return cursor_error("is not a valid cursor");
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(*raw, ec);
  if (ec || !doc.is_object() || doc.get_object().size() != 4) {
    return cursor_error("is not a valid cursor");
  }
  const boost::json::object& obj = doc.get_object();
  const auto* s = obj.if_contains("s");
  const auto* o = obj.if_contains("o");
  const auto* k = obj.if_contains("k");
  const std::optional<std::int64_t> id = as_int64(obj.if_contains("i"));
  if (s == nullptr || !s->is_string() || o == nullptr || !o->is_string() || k == nullptr || !id ||
      *id <= 0) {
    return cursor_error("is not a valid cursor");
  }
  const std::optional<SortField> cursor_sort = parse_sort_field(s->get_string());
  const std::string_view order = o->get_string();
  if (!cursor_sort || (order != "a" && order != "d")) return cursor_error("is not a valid cursor");
  if (*cursor_sort != sort || (ascending && (order == "a") != *ascending)) {
    return cursor_error("was issued for a different sort or order");
  }

  Cursor cursor{sort, order == "a", std::int64_t{0}, *id};
  if (sort == SortField::title) {
    if (!k->is_string()) return cursor_error("is not a valid cursor");
    cursor.key = title_sort_key(std::string_view(k->get_string()));
  } else {
    const std::optional<std::int64_t> key = as_int64(k);
    if (!key) return cursor_error("is not a valid cursor");
    cursor.key = *key;
  }
  return cursor;
}

}  // namespace todo
