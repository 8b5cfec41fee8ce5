#include "webhooks/signature.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/base64.hpp"
#include "core/random.hpp"

namespace todo::webhooks {
namespace {

std::string to_base64(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL sodium writes
  return out;
}

}  // namespace

std::string make_secret() {
  ensure_sodium();
  unsigned char bytes[24];
  randombytes_buf(bytes, sizeof bytes);
  return std::string(kSecretPrefix) + to_base64(bytes, sizeof bytes);
}

std::optional<std::string> secret_key(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  std::string_view b64 = secret.substr(kSecretPrefix.size());
  if (b64.empty() || !base64_alphabet_only(b64, Base64Alphabet::standard)) return std::nullopt;
  ensure_sodium();
  std::string key(b64.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  // The ORIGINAL variant requires padding; the libraries accept secrets without it too.
  int variant = b64.ends_with('=') ? sodium_base64_VARIANT_ORIGINAL
                                   : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), b64.data(),
                        b64.size(), nullptr, &len, &end, variant) != 0 ||
      end != b64.data() + b64.size() || len == 0)
    return std::nullopt;
  key.resize(len);
  return key;
}

std::string sign(std::string_view key, std::string_view msg_id, long long timestamp,
                 std::string_view body) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  std::string prefix = std::string(msg_id) + "." + std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + to_base64(mac, sizeof mac);
}

}  // namespace todo::webhooks
