#include "email/unsubscribe_token.hpp"

#include <sodium.h>

#include <vector>

#include "core/base64.hpp"
#include "core/random.hpp"

namespace todo::email {
namespace {

constexpr std::string_view kPurpose = "todo-platform email unsubscribe v1:";
constexpr std::size_t kMaxUserIdBytes = 128;

std::string b64url(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

std::optional<std::vector<unsigned char>> from_b64url(std::string_view text, std::size_t max) {
  if (!base64_alphabet_only(text, Base64Alphabet::url)) return std::nullopt;  // core/base64.hpp
  std::vector<unsigned char> out(max);
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &size, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(size);
  return out;
}

}  // namespace

UnsubscribeTokens::UnsubscribeTokens(std::string_view jwt_secret) {
  ensure_sodium();
  // A key of its own, so that an unsubscribe MAC can never pass for anything else signed
  // with the JWT secret (domain separation by the purpose label).
  std::string input(kPurpose);
  input += jwt_secret;
  static_assert(crypto_hash_sha256_BYTES == crypto_auth_KEYBYTES);
  crypto_hash_sha256(key_.data(), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size());
  sodium_memzero(input.data(), input.size());
}

std::string UnsubscribeTokens::issue(std::string_view user_id) const {
  std::array<unsigned char, crypto_auth_BYTES> mac{};
  crypto_auth(mac.data(), reinterpret_cast<const unsigned char*>(user_id.data()), user_id.size(),
              key_.data());
  return b64url(reinterpret_cast<const unsigned char*>(user_id.data()), user_id.size()) + "." +
         b64url(mac.data(), mac.size());
}

std::optional<std::string> UnsubscribeTokens::verify(std::string_view token) const {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  auto user = from_b64url(token.substr(0, dot), kMaxUserIdBytes);
  auto mac = from_b64url(token.substr(dot + 1), crypto_auth_BYTES);
  if (!user || !mac || user->empty() || mac->size() != crypto_auth_BYTES) return std::nullopt;
  if (crypto_auth_verify(mac->data(), user->data(), user->size(), key_.data()) != 0)
    return std::nullopt;
  return std::string(user->begin(), user->end());
}

}  // namespace todo::email
