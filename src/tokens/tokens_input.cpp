#include "tokens/tokens_input.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"

namespace todo::tokens {
namespace {

std::string scope_list() {
  std::string out;
  for (const auto& s : auth::kScopeNames) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

}  // namespace

Result<NewToken> parse_new_token(const boost::json::value& body, Millis now) {
  if (!body.is_object())
    return Error::field(ErrorKind::validation, "body",
                        "must be a JSON object {name, scopes, expires_at?}");
  const auto& obj = body.as_object();
  Error errors{ErrorKind::validation};
  NewToken out;
  for (const auto& [key, value] : obj)
    if (key != "name" && key != "scopes" && key != "expires_at")
      errors.errors.push_back(
          {std::string(key.substr(0, 64)), "is not a known field (name, scopes, expires_at)"});

  const auto* name = obj.if_contains("name");
  if (!name || !name->is_string()) {
    errors.errors.push_back({"name", "is required: a string of 1 to 100 characters"});
  } else {
    out.name = std::string(trim(std::string_view(name->get_string())));
    bool control = false;
    for (unsigned char c : out.name) control = control || c < 0x20 || c == 0x7f;
    if (out.name.empty())
      errors.errors.push_back({"name", "must not be empty"});
    else if (utf8_length(out.name) > kMaxNameLength)
      errors.errors.push_back({"name", "must be at most 100 characters"});
    else if (control)
      errors.errors.push_back({"name", "must not contain control characters"});
  }

  const auto* scopes = obj.if_contains("scopes");
  if (!scopes || !scopes->is_array() || scopes->get_array().empty()) {
    errors.errors.push_back(
        {"scopes", "is required: a non-empty array of scopes (" + scope_list() + ")"});
  } else {
    const auto& list = scopes->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto* text = list[i].if_string();
      auto scope = text ? auth::parse_scope(std::string_view(*text)) : std::nullopt;
      if (!scope)
        errors.errors.push_back(
            {"scopes[" + std::to_string(i) + "]", "is not a known scope (" + scope_list() + ")"});
      else
        out.scopes |= static_cast<unsigned>(*scope);
    }
  }

  if (const auto* expires = obj.if_contains("expires_at"); expires && !expires->is_null()) {
    auto at = expires->is_string() ? parse_rfc3339(std::string_view(expires->get_string()))
                                   : std::nullopt;
    if (!at)
      errors.errors.push_back(
          {"expires_at", "must be an RFC 3339 date-time with offset, e.g. 2027-01-01T00:00:00Z"});
    else if (*at <= now)
      errors.errors.push_back({"expires_at", "must be in the future"});
    else if (*at > now + kMaxLifetime)
      errors.errors.push_back({"expires_at", "must be at most a year ahead"});
    else
      out.expires_at = *at;
  }

  if (errors.errors.empty()) return out;
  for (const auto& e : errors.errors)
    errors.detail += (errors.detail.empty() ? "" : "; ") + e.field + " " + e.message;
  return errors;
}

}  // namespace todo::tokens
