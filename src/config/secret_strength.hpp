#pragma once
// Is a configured secret (TODO_JWT_SECRET, APP_API_TOKEN, DAPR_API_TOKEN) safe to run with?
// A secret anyone could guess — 32 spaces, "aaaa…", "changeme-changeme-…", a keyboard row —
// authenticates nothing (issue 14, item 7). The strength estimate is zxcvbn's (Debian's
// libzxcvbn: Dropbox's estimator, which scores repeats, sequences, keyboard patterns, dates
// and dictionary words, not just the length and the alphabet).
#include <optional>
#include <string>
#include <string_view>

namespace todo {

// Least estimated entropy of a secret, in bits: 16 random bytes in hex (what
// `openssl rand -hex 16` prints) estimate at about 140, a UUID at about 180.
inline constexpr double kMinSecretBits = 100;

// zxcvbn's estimate of `secret` in bits (log2 of the guesses needed). Pure.
double secret_entropy_bits(std::string_view secret);

// nullopt when `secret` is acceptable, else why not, phrased to follow the variable's name
// ("TODO_JWT_SECRET is only whitespace"). Never quotes the secret. Refused: empty, only
// whitespace, whitespace at either end (an HTTP field value loses it, RFC 9110 §5.5, so a
// token sent as a header could never match), control characters, and an estimate under
// kMinSecretBits. Pure.
std::optional<std::string> weak_secret_reason(std::string_view secret);

}  // namespace todo
