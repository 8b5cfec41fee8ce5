#include "auth/password.hpp"

#include <pwquality.h>
#include <sodium.h>

#include <mutex>
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

// libpwquality narrowed to what SP 800-63B asks for: the dictionary (cracklib) and
// repetition checks; no character-class credits or minimums, no GECOS or user-name checks
// (the e-mail rule is ours), and no system configuration file (/etc/security/pwquality.conf
// is the host's login policy, not this service's).
pwquality_settings_t* make_settings() {
  pwquality_settings_t* s = pwquality_default_settings();
  if (!s) throw std::runtime_error("libpwquality: out of memory");
  const std::pair<int, int> values[] = {
      {PWQ_SETTING_MIN_LENGTH, 6},  // libpwquality's least; our own rule (8) is checked first
      {PWQ_SETTING_DIG_CREDIT, 0}, {PWQ_SETTING_UP_CREDIT, 0},    {PWQ_SETTING_LOW_CREDIT, 0},
      {PWQ_SETTING_OTH_CREDIT, 0}, {PWQ_SETTING_MIN_CLASS, 0},    {PWQ_SETTING_MAX_CLASS_REPEAT, 0},
      {PWQ_SETTING_MAX_REPEAT, 4}, {PWQ_SETTING_MAX_SEQUENCE, 4}, {PWQ_SETTING_GECOS_CHECK, 0},
      {PWQ_SETTING_USER_CHECK, 0}, {PWQ_SETTING_DICT_CHECK, 1},   {PWQ_SETTING_ENFORCING, 1},
  };
  for (auto [setting, value] : values)
    if (pwquality_set_int_value(s, setting, value) != 0)
      throw std::runtime_error("libpwquality refused setting " + std::to_string(setting));
  return s;
}

// The settings are read-only once made. cracklib's dictionary lookup keeps static state in
// some versions, so checks are serialized; each takes well under a millisecond.
std::mutex quality_mutex;

// libpwquality's verdict: nullopt when it accepts `password`.
std::optional<std::string> quality_reason(const std::string& password) {
  static pwquality_settings_t* const settings = make_settings();
  std::lock_guard lock(quality_mutex);
  void* aux = nullptr;
  const int score = pwquality_check(settings, password.c_str(), nullptr, nullptr, &aux);
  if (score >= 0) return std::nullopt;
  switch (score) {
    case PWQ_ERROR_CRACKLIB_CHECK: {
      // aux is cracklib's static message, e.g. "it is based on a dictionary word".
      const std::string why = aux ? static_cast<const char*>(aux) : "it is a common password";
      if (why.find("dictionary") != std::string::npos && why.find("error") != std::string::npos)
        throw std::runtime_error("the common-password dictionary cannot be read: " + why);
      // Said in our words, to follow "password" (the UI shows "This password is too weak:
      // it ..."); cracklib's own for the rarer reasons.
      if (why.find("dictionary word") != std::string::npos)
        return "is a common password or based on a dictionary word";
      if (why.find("simplistic") != std::string::npos)
        return "is too simple: a common pattern like abc123";
      if (why.find("DIFFERENT") != std::string::npos) return "has too few different characters";
      return "is too easy to guess (" + why + ")";
    }
    case PWQ_ERROR_MAX_CONSECUTIVE:
      return "must not repeat a character more than 4 times in a row";
    case PWQ_ERROR_MAX_SEQUENCE:
      return "must not contain a run of more than 4 consecutive characters like 12345 or abcde";
    case PWQ_ERROR_PALINDROME:
      return "must not be a palindrome";
    case PWQ_ERROR_MEM_ALLOC:
    case PWQ_ERROR_FATAL_FAILURE:
      throw std::runtime_error("libpwquality failed (" + std::to_string(score) + ")");
    default:
      return "is too easy to guess";
  }
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

std::optional<std::string> password_form_reason(std::string_view password, std::string_view email) {
  const auto code_points = decode_utf8(password);
  if (!code_points) return "must be valid UTF-8";
  if (code_points->size() < kMinPasswordChars) return "must be at least 8 characters";
  if (code_points->size() > kMaxPasswordChars) return "must be at most 128 characters";
  bool all_same = true;
  for (const char32_t cp : *code_points) all_same = all_same && cp == code_points->front();
  if (all_same) return "must not be one character repeated";
  if (iequals_ascii(password, email)) return "must not be the e-mail address";
  if (password.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  return std::nullopt;
}

std::optional<std::string> weak_password_reason(std::string_view password, std::string_view email) {
  if (auto reason = password_form_reason(password, email)) return reason;
  return quality_reason(std::string(password));
}

void check_password_dictionary() {
  std::optional<std::string> verdict;
  try {
    verdict = quality_reason("password1");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) +
                             " (install cracklib-runtime: it builds /var/cache/cracklib)");
  }
  if (!verdict)
    throw std::runtime_error(
        "the common-password dictionary accepts 'password1': cracklib's dictionary is missing "
        "or empty (install cracklib-runtime)");
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
