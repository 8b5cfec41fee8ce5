// Bearer JWTs (auth/jwt.hpp) and the other credentials a client presents: personal access
// tokens ("tdp_...", auth/access_token.hpp) and one-click unsubscribe tokens
// (email/unsubscribe_token.hpp).
//
// A random token never gets past the HS256 signature, which verify_jwt checks before it reads
// a claim; so half of the inputs are "<header JSON>\n<claims JSON>" that this target signs
// with the test secret, to reach the header and claim checks. Invariants: a refusal is a 401;
// an accepted token has a subject and an id, is valid at `now` within the leeway, and signed
// again by us verifies to the same claims; a token verifies under no other secret.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <string>

#include "auth/access_token.hpp"
#include "auth/jwt.hpp"
#include "email/unsubscribe_token.hpp"
#include "fuzz_support.hpp"

using namespace todo;

namespace {

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef-0123456789abcdef";
constexpr Millis kNow = 1'790'000'000'000;  // 2026-09-21

std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

std::string signed_token(std::string_view header, std::string_view claims) {
  std::string input = b64url(header) + "." + b64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64url({reinterpret_cast<const char*>(mac), len});
}

void check_jwt(std::string_view token) {
  const JwtOptions options;
  Result<JwtClaims> claims = verify_jwt(token, kSecret, kNow, options);
  if (!claims) {
    FUZZ_CHECK(claims.error().kind == ErrorKind::unauthorized);
    return;
  }
  FUZZ_CHECK(!claims->subject.empty() && !claims->token_id.empty());
  // Three base64url segments, nothing else (RFC 7515 §2): one spelling per token.
  FUZZ_CHECK(token.find_first_not_of(
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
             std::string_view::npos);
  const Millis leeway = options.leeway_seconds * 1000LL;
  FUZZ_CHECK(claims->expires_at + leeway > kNow);
  if (claims->not_before) FUZZ_CHECK(*claims->not_before - leeway <= kNow);
  FUZZ_CHECK(!verify_jwt(token, "another secret of the same length, nearly.....", kNow, options));
  FUZZ_CHECK(!verify_jwt(token, "", kNow, options));

  Result<JwtClaims> again = verify_jwt(sign_jwt(*claims, kSecret, options), kSecret, kNow, options);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->subject == claims->subject && again->token_id == claims->token_id);
  FUZZ_CHECK(again->expires_at / 1000 == claims->expires_at / 1000);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(fuzz::as_text(data, size));
  const std::uint8_t mode = in.byte();
  if (mode % 2 == 0) {
    const std::string_view header = in.until('\n');
    check_jwt(signed_token(header, in.rest()));
    return 0;
  }
  const std::string_view token = in.rest();
  check_jwt(token);

  if (auth::is_access_token_form(token)) {
    FUZZ_CHECK(token.size() == auth::kAccessTokenLength && auth::looks_like_access_token(token));
  }
  const std::string hash = auth::access_token_hash(token);
  FUZZ_CHECK(hash.size() == 64 && auth::same_access_token_hash(hash, hash));

  static const email::UnsubscribeTokens unsubscribe(kSecret);
  if (auto user = unsubscribe.verify(token)) FUZZ_CHECK(unsubscribe.issue(*user) == token);
  // Issued for any user id (1..128 bytes, as ids are), verified back to it.
  if (!token.empty() && token.size() <= 128)
    FUZZ_CHECK(unsubscribe.verify(unsubscribe.issue(token)) == std::string(token));
  return 0;
}
