#include "auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>

#include "core/base64.hpp"
#include "core/json_members.hpp"
#include "core/random.hpp"

namespace todo {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxTokenBytes = 8192;
constexpr std::size_t kMaxIdBytes = 255;  // sub and jti
// NumericDates beyond 9999-12-31T23:59:59Z (or before 1970) are no real token's.
constexpr double kMaxNumericDate = 253402300799.0;
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

// libsodium's decoder rejects padding, foreign ASCII characters and non-canonical trailing
// bits; bytes over 0x7F it takes for digits, so those are refused first.
std::optional<std::string> b64url_decode(std::string_view text) {
  if (!base64_alphabet_only(text, Base64Alphabet::url)) return std::nullopt;  // core/base64.hpp
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
  return Error::make(ErrorKind::unauthorized, std::move(reason));
}

// A base64url segment holding a JSON object without duplicate member names.
Result<json::object> decode_json_segment(std::string_view segment, const char* what) {
  const std::optional<std::string> raw = b64url_decode(segment);
  if (!raw) return unauthorized(std::string("malformed token: the ") + what + " is not base64url");
  json::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object())
    return unauthorized(std::string("malformed token: the ") + what + " is not a JSON object");
  if (has_duplicate_member(*raw))
    return unauthorized(std::string("malformed token: the ") + what + " repeats a member name");
  return std::move(v.get_object());
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Header parameters (RFC 7515 §4.1, RFC 7519 §5): everything but the algorithm is checked
// before the signature too, since none of it can make a bad token acceptable.
std::optional<Error> header_error(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256")
    return unauthorized("unsupported algorithm");
  if (const json::value* typ = header.if_contains("typ")) {
    // A media type: case-insensitive, "application/" implied when there is no '/'.
    if (!typ->is_string() ||
        !(iequals(typ->get_string(), "JWT") || iequals(typ->get_string(), "application/jwt")))
      return unauthorized("unsupported token type (typ)");
  }
  if (header.contains("crit"))
    return unauthorized("token names critical header parameters (crit) we do not understand");
  if (const json::value* b64 = header.if_contains("b64");
      b64 && !(b64->is_bool() && b64->get_bool()))
    return unauthorized("unencoded payloads (b64) are not supported");
  if (const json::value* cty = header.if_contains("cty")) {
    if (!cty->is_string() || iequals(cty->get_string(), "JWT") ||
        iequals(cty->get_string(), "application/jwt"))
      return unauthorized("nested tokens (cty) are not supported");
  }
  if (header.contains("enc") || header.contains("zip"))
    return unauthorized("encrypted or compressed tokens are not supported");
  return std::nullopt;
}

// A NumericDate claim (RFC 7519 §2: a JSON number of seconds, fractions allowed) in ms;
// nullopt when absent; an error when it is not a number or out of range.
Result<std::optional<Millis>> numeric_date(const json::object& claims, const char* name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<Millis>();
  double seconds = 0;
  if (v->is_int64())
    seconds = double(v->get_int64());
  else if (v->is_uint64())
    seconds = double(v->get_uint64());
  else if (v->is_double())
    seconds = v->get_double();
  else
    return unauthorized(std::string("token claim ") + name + " is not a number");
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate)
    return unauthorized(std::string("token claim ") + name + " is out of range");
  return std::optional<Millis>(Millis(std::floor(seconds * 1000)));
}

// A required identifier claim: a non-empty string of at most kMaxIdBytes.
Result<std::string> id_claim(const json::object& claims, const char* name, const char* missing) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr || !v->is_string() || v->get_string().empty() ||
      v->get_string().size() > kMaxIdBytes)
    return unauthorized(missing);
  return std::string(v->get_string());
}

// "aud" names us: equal to `audience`, or an array of strings holding it.
bool audience_matches(const json::value& aud, std::string_view audience) {
  if (aud.is_string()) return aud.get_string() == audience;
  if (!aud.is_array() || aud.get_array().empty()) return false;
  bool found = false;
  for (const json::value& entry : aud.get_array()) {
    if (!entry.is_string()) return false;  // a malformed list is not trusted in part
    found = found || entry.get_string() == audience;
  }
  return found;
}

Result<JwtClaims> claims_of(const json::object& payload, Millis now, const JwtOptions& options) {
  const Millis leeway = Millis(options.leeway_seconds) * 1000;
  JwtClaims claims;
  auto sub = id_claim(payload, "sub", "token has no subject");
  if (!sub) return sub.error();
  claims.subject = std::move(*sub);
  const json::value* iss = payload.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != options.issuer)
    return unauthorized("token has the wrong issuer (iss)");
  const json::value* aud = payload.if_contains("aud");
  if (aud == nullptr || !audience_matches(*aud, options.audience))
    return unauthorized("token is not meant for this service (aud)");
  auto jti = id_claim(payload, "jti", "token has no id (jti)");
  if (!jti) return jti.error();
  claims.token_id = std::move(*jti);

  auto exp = numeric_date(payload, "exp");
  if (!exp) return exp.error();
  if (!*exp) return unauthorized("token has no expiry (exp)");
  if (now >= **exp + leeway) return unauthorized("token expired");
  claims.expires_at = **exp;
  auto iat = numeric_date(payload, "iat");
  if (!iat) return iat.error();
  if (!*iat) return unauthorized("token has no issue time (iat)");
  if (**iat > now + leeway) return unauthorized("token is issued in the future (iat)");
  claims.issued_at = **iat;
  auto nbf = numeric_date(payload, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && **nbf > now + leeway) return unauthorized("token is not valid yet (nbf)");
  claims.not_before = *nbf;
  return claims;
}

}  // namespace

JwtClaims new_jwt_claims(std::string subject, Millis now, Millis lifetime) {
  JwtClaims claims;
  claims.subject = std::move(subject);
  claims.token_id = random_hex(16);  // 128 bits: collisions are out of the question
  claims.issued_at = now;
  claims.expires_at = now + lifetime;
  return claims;
}

std::string sign_jwt(const JwtClaims& claims, std::string_view secret, const JwtOptions& options) {
  auto seconds = [](Millis t) { return t >= 0 ? t / 1000 : (t - 999) / 1000; };
  json::object payload;
  payload["iss"] = options.issuer;
  payload["sub"] = claims.subject;
  payload["aud"] = options.audience;
  payload["iat"] = seconds(claims.issued_at);
  if (claims.not_before) payload["nbf"] = seconds(*claims.not_before);
  payload["exp"] = seconds(claims.expires_at);
  payload["jti"] = claims.token_id;
  const std::string payload_json = json::serialize(payload);
  std::string token = b64url_encode(kHeaderJson.data(), kHeaderJson.size()) + '.' +
                      b64url_encode(payload_json.data(), payload_json.size());
  const Mac mac = hs256(secret, token);
  token += '.';
  token += b64url_encode(mac.data(), mac.size());
  return token;
}

Result<JwtClaims> verify_jwt(std::string_view token, std::string_view secret, Millis now,
                             const JwtOptions& options) {
  // An empty secret would let anyone mint tokens; refuse rather than accept them.
  if (secret.empty()) return unauthorized("token verification is not configured");
  if (token.empty() || token.size() > kMaxTokenBytes) return unauthorized("malformed token");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauthorized("malformed token: not three segments");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  auto header = decode_json_segment(header_b64, "header");
  if (!header) return header.error();
  if (auto e = header_error(*header)) return std::move(*e);

  // Check the signature before looking at the claims: nothing unauthenticated is trusted.
  const std::optional<std::string> signature = b64url_decode(signature_b64);
  if (!signature) return unauthorized("malformed token: the signature is not base64url");
  const Mac expected = hs256(secret, token.substr(0, dot2));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return unauthorized("bad signature");
  }

  auto payload = decode_json_segment(payload_b64, "claims set");
  if (!payload) return payload.error();
  return claims_of(*payload, now, options);
}

}  // namespace todo
