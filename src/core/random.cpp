#include "core/random.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace todo {

void ensure_sodium() {
  // sodium_init() is itself thread-safe and idempotent; the static avoids calling it on
  // every use.
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    return true;
  }();
  (void)ready;
}

std::string random_hex(std::size_t bytes) {
  if (bytes == 0) return {};  // libsodium's arguments are declared non-null
  ensure_sodium();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buf.data(), buf.size());
  hex.resize(bytes * 2);
  return hex;
}

std::string time_ordered_uuid(Millis now) {
  ensure_sodium();
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  // UUID version 7 (RFC 9562): 48-bit Unix milliseconds first, then randomness. Ids made
  // close in time sort close together, so the unique indexes on event_id append instead
  // of touching a random page per event (that alone cost a third of the write path).
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(std::uint64_t(now) >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

}  // namespace todo
