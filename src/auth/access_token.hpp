#pragma once
// Personal access token secrets (issue 12, item 1): how they look, and what is stored of them.
//
// A token is "tdp_" followed by 32 random bytes (libsodium's CSPRNG) in base64url without
// padding (RFC 4648 §5): 47 characters, recognisable by its prefix (secret scanners, logs).
// Only its SHA-256 is stored. A fast hash is right here, unlike for passwords: the secret has
// 256 bits of entropy, so no amount of hashing speed makes guessing it from the hash feasible,
// and a slow hash would cost every API request.
#include <string>
#include <string_view>

namespace todo::auth {

inline constexpr std::string_view kAccessTokenPrefix = "tdp_";
inline constexpr std::size_t kAccessTokenLength = 47;  // "tdp_" + 43 base64url characters
// Characters of a token shown in lists to tell tokens apart: the prefix and 4 of the secret
// (24 bits: the other 232 stay secret).
inline constexpr std::size_t kAccessTokenShownLength = 8;

// A new token secret. Throws std::runtime_error when libsodium cannot be initialised.
std::string new_access_token();

// Whether `token` has the form of one of our tokens ("tdp_" + 43 base64url characters).
// Says nothing of whether it exists.
bool is_access_token_form(std::string_view token);

// Whether an Authorization credential is meant as a personal access token (it starts with
// "tdp_"), well-formed or not: such credentials never go to the JWT verifier.
inline bool looks_like_access_token(std::string_view token) {
  return token.starts_with(kAccessTokenPrefix);
}

// The stored form of `token`: lowercase hex SHA-256 of the whole token (64 characters).
std::string access_token_hash(std::string_view token);

// Whether two hashes are equal, in time independent of where they differ (sodium_memcmp).
bool same_access_token_hash(std::string_view a, std::string_view b);

// What lists show of `token`: its first kAccessTokenShownLength characters.
inline std::string access_token_shown_prefix(std::string_view token) {
  return std::string(token.substr(0, kAccessTokenShownLength));
}

}  // namespace todo::auth
