#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "core/random.hpp"
#include "core/utf8.hpp"

namespace todo {
namespace {

constexpr std::size_t kMinPasswordChars = 8;
constexpr std::size_t kMaxPasswordChars = 128;

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
