#pragma once
// One-click unsubscribe tokens (RFC 8058 links in reminder e-mails): "<user>.<mac>", both
// base64url without padding, where mac = HMAC-SHA-512-256 (libsodium crypto_auth) of the
// user id under a key derived from the server's JWT secret (SHA-256 of a purpose label and
// the secret: "todo-platform email unsubscribe v1:" + secret), so every role that shares the
// secret verifies them and no table is needed.
// Tokens do not expire: the link of an old e-mail keeps working.
//
// Thread safety: const methods, any thread.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace todo::email {

class UnsubscribeTokens {
 public:
  // `jwt_secret`: TODO_JWT_SECRET (any length).
  explicit UnsubscribeTokens(std::string_view jwt_secret);

  std::string issue(std::string_view user_id) const;
  // The user id the token was issued for; nullopt when it is malformed or its MAC does not
  // verify (compared in constant time by crypto_auth_verify).
  std::optional<std::string> verify(std::string_view token) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace todo::email
