#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "core/random.hpp"

namespace todo {
namespace {

constexpr std::size_t kMinPasswordChars = 8;
constexpr std::size_t kMaxPasswordChars = 128;

// Decodes UTF-8 into code points; nullopt on malformed input (overlong forms,
// surrogates, truncated sequences).
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int extra;
    char32_t cp, min;
    if (b0 < 0x80) {
      extra = 0, cp = b0, min = 0;
    } else if ((b0 & 0xE0) == 0xC0) {
      extra = 1, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      extra = 2, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      extra = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size() && extra > 0) return std::nullopt;
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    // Only fails when the memory limit cannot be allocated: a server fault, not bad input.
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, std::string_view hash) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::optional<std::string> weak_password_reason(std::string_view password, std::string_view email) {
  const auto code_points = decode_utf8(password);
  if (!code_points) return "must be valid UTF-8";
  if (code_points->size() < kMinPasswordChars) return "must be at least 8 characters";
  if (code_points->size() > kMaxPasswordChars) return "must be at most 128 characters";
  bool all_same = true;
  for (const char32_t cp : *code_points) all_same = all_same && cp == code_points->front();
  if (all_same) return "must not be one character repeated";
  if (iequals_ascii(password, email)) return "must not be the e-mail address";
  return std::nullopt;
}

std::string random_user_id() {
  ensure_sodium();
  // 20 symbols x 5 bits = 100 bits of entropy; 256 is a multiple of 32, so masking a
  // random byte to 5 bits is unbiased.
  constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char bytes[20];
  randombytes_buf(bytes, sizeof bytes);
  std::string id = "u_";
  for (const unsigned char b : bytes) id += kAlphabet[b & 31];
  return id;
}

}  // namespace todo
