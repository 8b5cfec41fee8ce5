#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme", as
// implemented by the `standardwebhooks` libraries): a secret is "whsec_" + base64 of random
// bytes; a delivery is signed with HMAC-SHA256 keyed by those bytes over
// "{webhook-id}.{webhook-timestamp}.{body}" and sent as "webhook-signature: v1,<base64>".
// Uses libsodium (crypto_auth_hmacsha256, sodium_bin2base64).
#include <optional>
#include <string>
#include <string_view>

namespace todo::webhooks {

inline constexpr std::string_view kSecretPrefix = "whsec_";

// A new secret: "whsec_" + standard base64 (with padding) of 24 bytes from libsodium's
// CSPRNG. Throws std::runtime_error when libsodium cannot be initialised.
std::string make_secret();

// The key bytes of a secret: the base64 after "whsec_" decoded (standard alphabet, padding
// optional). nullopt when the prefix is missing or the base64 is malformed or empty.
std::optional<std::string> secret_key(std::string_view secret);

// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)); `timestamp` in unix
// seconds.
std::string sign(std::string_view key, std::string_view msg_id, long long timestamp,
                 std::string_view body);

}  // namespace todo::webhooks
