#pragma once
// What POST /api/{user_id}/tokens accepts (tokens/tokens_module.hpp). Pure: unit-tested.
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "auth/scopes.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

namespace todo::tokens {

inline constexpr std::size_t kMaxNameLength = 100;                // characters
inline constexpr Millis kMaxLifetime = 366LL * 24 * 3600 * 1000;  // a year (and a leap day)
inline constexpr int kMaxTokensPerUser = 50;                      // in force at once

struct NewToken {
  std::string name;
  auth::ScopeSet scopes = 0;
  std::optional<Millis> expires_at;  // nullopt: never
};

// `body`: {name, scopes, expires_at?}. name: a string of 1 to 100 characters after trimming,
// no control characters; scopes: a non-empty array of known scope names (auth/scopes.hpp;
// repeats are fine); expires_at: absent, null, or an RFC 3339 date-time with offset after
// `now` and at most kMaxLifetime ahead. Otherwise a 422 (ErrorKind::validation) with one
// FieldError per bad field ("name", "scopes", "scopes[2]", "expires_at", or an unknown
// member's name).
Result<NewToken> parse_new_token(const boost::json::value& body, Millis now);

}  // namespace todo::tokens
