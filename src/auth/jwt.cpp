#include "auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>

namespace todo {
namespace {

constexpr std::size_t kMaxTokenBytes = 8192;
constexpr int kB64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// Signing always emits this header, so its encoding is a constant.
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

using Mac = std::array<unsigned char, 32>;

std::string b64url_encode(const void* data, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, kB64), '\0');
  sodium_bin2base64(out.data(), out.size(), static_cast<const unsigned char*>(data), size, kB64);
  out.resize(out.size() - 1);  // terminating NUL
  return out;
}

// libsodium's decoder rejects padding, foreign characters and non-canonical trailing bits.
std::optional<std::string> b64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, kB64) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

Mac hs256(std::string_view secret, std::string_view data) {
  Mac mac{};
  unsigned int len = 0;
  static const unsigned char kEmpty = 0;  // HMAC() wants a non-null key pointer
  const auto* key =
      secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
  HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return mac;
}

Error unauthorized(std::string reason) {
  return Error::make(ErrorKind::unauthorized, reason);
}

std::optional<boost::json::object> decode_json_segment(std::string_view segment) {
  const std::optional<std::string> raw = b64url_decode(segment);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// NumericDate (RFC 7519 §2): seconds; integers only, as we never issue fractions.
std::optional<std::int64_t> numeric_date(const boost::json::object& payload, const char* key) {
  const boost::json::value* v = payload.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

}  // namespace

std::string sign_jwt(const JwtClaims& claims, std::string_view secret) {
  boost::json::object payload;
  payload["sub"] = claims.subject;
  payload["iat"] = claims.issued_at / 1000;
  payload["exp"] = claims.expires_at / 1000;
  const std::string payload_json = boost::json::serialize(payload);
  std::string token = b64url_encode(kHeaderJson.data(), kHeaderJson.size()) + '.' +
                      b64url_encode(payload_json.data(), payload_json.size());
  const Mac mac = hs256(secret, token);
  token += '.';
  token += b64url_encode(mac.data(), mac.size());
  return token;
}

Result<JwtClaims> verify_jwt(std::string_view token, std::string_view secret, Millis now) {
  // An empty secret would let anyone mint tokens; refuse rather than accept them.
  if (secret.empty()) return unauthorized("token verification is not configured");
  if (token.empty() || token.size() > kMaxTokenBytes) return unauthorized("malformed token");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauthorized("malformed token");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  const std::optional<boost::json::object> header = decode_json_segment(header_b64);
  if (!header) return unauthorized("malformed token");
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return unauthorized("unsupported algorithm");
  }

  // Check the signature before looking at the claims: nothing unauthenticated is trusted.
  const std::optional<std::string> signature = b64url_decode(signature_b64);
  if (!signature) return unauthorized("malformed token");
  const Mac expected = hs256(secret, token.substr(0, dot2));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return unauthorized("bad signature");
  }

  const std::optional<boost::json::object> payload = decode_json_segment(payload_b64);
  if (!payload) return unauthorized("malformed token");
  const boost::json::value* sub = payload->if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) {
    return unauthorized("token has no subject");
  }
  const std::optional<std::int64_t> exp = numeric_date(*payload, "exp");
  if (!exp || *exp > INT64_MAX / 1000 || *exp < INT64_MIN / 1000) {
    return unauthorized("token has no valid expiry");
  }
  if (*exp * 1000 <= now) return unauthorized("token expired");
  std::optional<std::int64_t> iat;
  if (payload->contains("iat")) {
    iat = numeric_date(*payload, "iat");
    if (!iat || *iat > INT64_MAX / 1000 || *iat < INT64_MIN / 1000) {
      return unauthorized("malformed token");
    }
  }
  return JwtClaims{std::string(sub->get_string()), iat.value_or(0) * 1000, *exp * 1000};
}

}  // namespace todo
