#pragma once
// Random identifiers and secrets from libsodium's CSPRNG (randombytes_buf).
#include <cstddef>
#include <string>

#include "core/time.hpp"

namespace todo {

// `bytes` random bytes as 2 * bytes lowercase hex characters ("" for 0).
// Throws std::runtime_error when libsodium cannot be initialised.
std::string random_hex(std::size_t bytes);

// A UUID version 7 (time-ordered, RFC 9562) for `now` (ms since the epoch, UTC):
// 36 lowercase characters; ids made later sort later.
std::string time_ordered_uuid(Millis now);

// Initialises libsodium once (thread-safe, idempotent); throws std::runtime_error when it
// cannot be. Call before any other libsodium function.
void ensure_sodium();

}  // namespace todo
