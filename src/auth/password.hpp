#pragma once
// Argon2id password hashing (libsodium crypto_pwhash_str, interactive limits) and the
// password policy.
#include <optional>
#include <string>
#include <string_view>

namespace todo {

std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, std::string_view hash);

// nullopt when acceptable, else the reason: 8..128 characters, not all one character,
// not the e-mail itself.
std::optional<std::string> weak_password_reason(std::string_view password, std::string_view email);

// A random opaque user id (libsodium randombytes).
std::string random_user_id();  // "u_" + 20 lowercase base32 characters

}  // namespace todo
