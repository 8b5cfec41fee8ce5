#pragma once
// Argon2id password hashing (libsodium crypto_pwhash_str, interactive limits) and the
// password policy (NIST SP 800-63B §5.1.1.2).
#include <optional>
#include <string>
#include <string_view>

namespace todo {

std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, std::string_view hash);

// The rules that need no dictionary (pure, any thread): nullopt when `password` is valid
// UTF-8 of 8..128 characters (code points), not one character repeated, without NUL, and not
// the e-mail itself; else the reason, phrased to follow the field's name ("password must
// ...").
std::optional<std::string> password_form_reason(std::string_view password, std::string_view email);

// The whole policy: password_form_reason, and not a common password: libpwquality's check against
// cracklib's dictionary of words and common passwords (Debian's cracklib-runtime;
// "password1", "qwerty123", "iloveyou" and their mangled forms), with its other rules
// narrowed to repetition (no character 5 times in a row, no monotonic run of 5 like
// "12345") and palindromes — no composition rules (SP 800-63B says not to impose them).
// Reads the dictionary: call it on the CPU pool (core/cpu_pool.hpp), never on an I/O
// thread. Throws std::runtime_error when the dictionary cannot be read (a server fault).
std::optional<std::string> weak_password_reason(std::string_view password, std::string_view email);

// Checks once at start-up that the common-password dictionary can be read and refuses a
// common password; throws std::runtime_error saying what to install otherwise.
void check_password_dictionary();

// A random opaque user id (libsodium randombytes).
std::string random_user_id();  // "u_" + 20 lowercase base32 characters

}  // namespace todo
