#pragma once
// VerifiedTokens: the claims of session tokens this process verified lately, so that a client
// sending the same token on every request (a browser's cookie, an API client's bearer token)
// pays for verify_jwt (HMAC-SHA256, three base64url decodes, two JSON parses with the
// duplicate-member check: ~5 µs, most of a cheap request's authentication) once per token
// rather than once per request.
//
// Keyed by the whole compact token, signature included: only a byte-identical copy of a token
// that verify_jwt accepted with this process's secret and JwtOptions hits (one Authenticator,
// one secret: the cache lives in it). A hit is re-checked against the caller's `now`: expired
// (now >= exp + leeway) is a miss, and verify_jwt then says "token expired" as before. The
// other time checks ("iat" not in the future, "nbf" reached) passed when the token was
// verified and stay passed as time moves on. Whether the session was ended since is not
// cached: the Authenticator asks its RevocationState on every request, hit or miss.
//
// Bounded: two generations of at most capacity/2 entries each (a cheap approximation of LRU);
// when the current one is full it becomes the previous one and the old previous is dropped;
// a hit in the previous generation moves the entry to the current one. At most `capacity`
// tokens (~0.5 KB each) are held.
//
// Thread safety: every method takes one mutex for a hash lookup (~100 ns); callable from any
// thread.
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/jwt.hpp"
#include "core/time.hpp"

namespace todo::auth {

class VerifiedTokens {
 public:
  // `capacity` >= 2 tokens held at most.
  explicit VerifiedTokens(std::size_t capacity = 8192);

  // The claims `token` was verified with, when it is held and not expired at `now` (ms since
  // the epoch, UTC) given `leeway` (ms); nullopt otherwise (an expired entry is dropped).
  std::optional<JwtClaims> find(std::string_view token, Millis now, Millis leeway);
  // Holds `claims` for `token`: call only with what verify_jwt returned for it.
  void insert(std::string_view token, const JwtClaims& claims);
  // Tokens held (both generations).
  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, JwtClaims, Hash, std::equal_to<>>;
  // Adds under the lock; returns the generation dropped by a rotation (empty if none), for the
  // caller to free after unlocking.
  Map insert_locked(std::string token, JwtClaims claims);

  const std::size_t generation_size_;
  mutable std::mutex mutex_;
  Map current_;
  Map previous_;
};

}  // namespace todo::auth
