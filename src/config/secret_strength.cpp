#include "config/secret_strength.hpp"

#include <zxcvbn.h>

#include <string>

namespace todo {
namespace {

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

double secret_entropy_bits(std::string_view secret) {
  const std::string terminated(secret);  // zxcvbn wants a C string; NULs are refused before
  return ZxcvbnMatch(terminated.c_str(), nullptr, nullptr);
}

std::optional<std::string> weak_secret_reason(std::string_view secret) {
  if (secret.empty()) return "is empty";
  bool all_space = true;
  for (unsigned char c : secret) all_space = all_space && is_space(c);
  if (all_space) return "is only whitespace";
  if (is_space(secret.front()) || is_space(secret.back()))
    return "begins or ends with whitespace (a pasted newline?); HTTP drops it from header "
           "values, so remove it";
  for (unsigned char c : secret)
    if (c < 0x20 || c == 0x7f) return "contains control characters";
  if (secret_entropy_bits(secret) < kMinSecretBits)
    return "is too easy to guess (repeated, sequential, keyboard or dictionary patterns): use "
           "a random value of at least 128 bits, e.g. the output of `openssl rand -hex 32`";
  return std::nullopt;
}

}  // namespace todo
