#include "auth/access_token.hpp"

#include <sodium.h>

#include "core/random.hpp"

namespace todo::auth {
namespace {

constexpr std::size_t kSecretBytes = 32;

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string new_access_token() {
  ensure_sodium();
  unsigned char secret[kSecretBytes];
  randombytes_buf(secret, sizeof secret);
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string encoded(sodium_base64_ENCODED_LEN(kSecretBytes, variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), secret, sizeof secret, variant);
  sodium_memzero(secret, sizeof secret);
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return std::string(kAccessTokenPrefix) + encoded;
}

bool is_access_token_form(std::string_view token) {
  if (token.size() != kAccessTokenLength || !token.starts_with(kAccessTokenPrefix)) return false;
  for (char c : token.substr(kAccessTokenPrefix.size()))
    if (!is_base64url_char(c)) return false;
  return true;
}

std::string access_token_hash(std::string_view token) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::string hex(2 * sizeof digest + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

bool same_access_token_hash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace todo::auth
