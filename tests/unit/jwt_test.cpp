#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/time.hpp"

namespace todo {
namespace {

constexpr std::string_view kSecret = "test-secret-with-enough-entropy-123";
const Millis kNow = *parse_rfc3339("2026-01-30T10:00:00Z");
constexpr Millis kHour = 3'600'000;

std::string valid_token() {
  return sign_jwt({"u_alice", kNow, kNow + kHour}, kSecret);
}

std::string b64url(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : in) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) out += kAlphabet[(acc >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

// An independent HS256 signer (straight OpenSSL), to mint tokens sign_jwt would not.
std::string sign_raw(std::string_view header_json, std::string_view payload_json,
                     std::string_view secret) {
  const std::string signing_input = b64url(header_json) + "." + b64url(payload_json);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &len);
  return signing_input + "." + b64url(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    out.push_back(token.substr(start, dot - start));
  }
  out.push_back(token.substr(start));
  return out;
}

void expect_unauthorized(std::string_view token, const std::string& why,
                         std::string_view secret = kSecret, Millis now = kNow) {
  auto r = verify_jwt(token, secret, now);
  ASSERT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.error().kind, ErrorKind::unauthorized) << why;
  EXPECT_FALSE(r.error().detail.empty()) << why;
}

TEST(Jwt, RoundTrip) {
  const std::string token = valid_token();
  auto r = verify_jwt(token, kSecret, kNow);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->subject, "u_alice");
  EXPECT_EQ(r->issued_at, kNow);
  EXPECT_EQ(r->expires_at, kNow + kHour);
}

TEST(Jwt, StandardShape) {
  const auto parts = segments(valid_token());
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], b64url(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_EQ(parts[2].size(), 43u);  // 32-byte HMAC-SHA256, base64url without padding
  // Claims are NumericDate seconds.
  EXPECT_EQ(parts[1], b64url(R"({"sub":"u_alice","iat":1769767200,"exp":1769770800})"));
}

TEST(Jwt, MatchesAnIndependentImplementation) {
  // Computed with Python's hmac/hashlib for {"sub":"u_1","iat":1700000000,"exp":4102444800}.
  EXPECT_EQ(sign_jwt({"u_1", 1'700'000'000'000, 4'102'444'800'000}, "secret"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiJ1XzEiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6NDEwMjQ0NDgwMH0."
            "ipw4t5ZGdVqS38lsc1IMhcQYSxiXsY9s68rooK2mydc");
}

TEST(Jwt, VerifiesTheRfc7515Example) {
  // RFC 7515 Appendix A.1: a valid HS256 signature, but the token has no "sub", so it is
  // rejected for that (and only after the signature was accepted).
  const std::string key(
      "\x03\x23\x35\x4b\x2b\x0f\xa5\xbc\x83\x7e\x06\x65\x77\x7b\xa6\x8f\x5a\xb3\x28\xe6\xf0"
      "\x54\xc9\x28\xa9\x0f\x84\xb2\xd2\x50\x2e\xbf\xd3\xfb\x5a\x92\xd2\x06\x47\xef\x96\x8a"
      "\xb4\xc3\x77\x62\x3d\x22\x3d\x2e\x21\x72\x05\x2e\x4f\x08\xc0\xcd\x9a\xf5\x67\xd0\x80"
      "\xa3",
      64);
  const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
      "VlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  auto r = verify_jwt(token, key, 1'300'000'000'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "token has no subject");
  EXPECT_EQ(verify_jwt(token, "wrong", 1'300'000'000'000).error().detail, "bad signature");
}

TEST(Jwt, Expired) {
  const std::string token = valid_token();
  EXPECT_TRUE(verify_jwt(token, kSecret, kNow + kHour - 1).ok());
  expect_unauthorized(token, "exp == now", kSecret, kNow + kHour);
  expect_unauthorized(token, "exp < now", kSecret, kNow + 2 * kHour);
}

TEST(Jwt, WrongSecret) {
  expect_unauthorized(valid_token(), "other secret", "another-secret");
  expect_unauthorized(valid_token(), "empty secret", "");
}

TEST(Jwt, AlgNoneIsRejected) {
  const auto parts = segments(valid_token());
  const std::string none = b64url(R"({"alg":"none","typ":"JWT"})");
  expect_unauthorized(none + "." + parts[1] + ".", "alg none, empty signature");
  expect_unauthorized(none + "." + parts[1] + "." + parts[2], "alg none, old signature");
  auto r = verify_jwt(none + "." + parts[1] + ".", kSecret, kNow);
  EXPECT_EQ(r.error().detail, "unsupported algorithm");
}

TEST(Jwt, OtherAlgorithmsAreRejected) {
  const auto parts = segments(valid_token());
  for (const char* header : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256"})",
                             R"({"alg":"hs256"})", R"({"typ":"JWT"})", R"({"alg":null})"}) {
    expect_unauthorized(b64url(header) + "." + parts[1] + "." + parts[2], header);
  }
}

TEST(Jwt, TamperedPayload) {
  const auto parts = segments(valid_token());
  const std::string forged = b64url(R"({"sub":"u_mallory","iat":1769767200,"exp":1769770800})");
  auto r = verify_jwt(parts[0] + "." + forged + "." + parts[2], kSecret, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "bad signature");
  // Extending the expiry is tampering too.
  const std::string later = b64url(R"({"sub":"u_alice","iat":1769767200,"exp":9999999999})");
  expect_unauthorized(parts[0] + "." + later + "." + parts[2], "extended exp");
}

TEST(Jwt, TamperedSignature) {
  std::string token = valid_token();
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  expect_unauthorized(token, "flipped signature character");
  const auto parts = segments(valid_token());
  expect_unauthorized(parts[0] + "." + parts[1] + "." + parts[2].substr(0, 20), "short sig");
}

TEST(Jwt, MissingOrBadClaims) {
  // Hand-made payloads, validly signed, to reach the claim checks.
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  for (const char* payload : {
           R"({"iat":1769767200,"exp":1769770800})",           // no sub
           R"({"sub":"","iat":1769767200,"exp":1769770800})",  // empty sub
           R"({"sub":42,"iat":1769767200,"exp":1769770800})",  // sub not a string
           R"({"sub":"u_alice","iat":1769767200})",            // no exp
           R"({"sub":"u_alice","exp":"1769770800"})",          // exp as string
           R"({"sub":"u_alice","exp":1769770800.5})",          // exp fractional
           R"({"sub":"u_alice","iat":"x","exp":1769770800})",  // bad iat
           R"(["u_alice"])",                                   // not an object
       }) {
    expect_unauthorized(sign_raw(header, payload, kSecret), payload);
  }
  // Without "typ" and without "iat" a token is still acceptable.
  auto r =
      verify_jwt(sign_raw(R"({"alg":"HS256"})", R"({"sub":"u_bob","exp":1769770800})", kSecret),
                 kSecret, kNow);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->subject, "u_bob");
  EXPECT_EQ(r->issued_at, 0);
}

TEST(Jwt, Garbage) {
  const auto parts = segments(valid_token());
  for (const std::string& bad : std::vector<std::string>{
           "", "garbage", "a.b", "a.b.c", "a.b.c.d", "...", parts[0] + "." + parts[1],
           parts[0] + "." + parts[1] + "." + parts[2] + ".extra",
           parts[0] + "=." + parts[1] + "." + parts[2],       // padding
           parts[0] + "." + parts[1] + "." + parts[2] + "=",  // padding on signature
           "!!!." + parts[1] + "." + parts[2],                // not base64url
           b64url("not json") + "." + parts[1] + "." + parts[2],
           b64url("[]") + "." + parts[1] + "." + parts[2], std::string(10000, 'a')}) {
    expect_unauthorized(bad, bad.substr(0, 40));
  }
}

}  // namespace
}  // namespace todo
