#pragma once
// The RFC 4648 alphabet check that goes in front of every libsodium base64 decode of outside
// input (tokens, cursors, CloudEvents data_base64).
//
// sodium_base642bin of libsodium 1.0.18 (Debian 12's libsodium23) takes every byte from 0x80
// to 0xFF for a base64 digit: "QUF\xff" decodes to three bytes as if it were "QUF/", and
// "\xff\xff\xff\xff" to "\xff\xff\xff". Found by fuzzing (fuzz/README.md). A token or cursor
// could so be spelt in more than one way, and with characters that RFC 4648 §3.3 says a
// decoder must reject ("Implementations MUST reject the encoded data if it contains
// characters outside the base alphabet"). ASCII outside the alphabet libsodium rejects
// itself.
#include <string_view>

namespace todo {

enum class Base64Alphabet {
  standard,  // RFC 4648 §4: A-Z a-z 0-9 + / and '=' padding
  url,       // RFC 4648 §5: A-Z a-z 0-9 - _ (we never pad base64url)
};

// True when every byte of `text` belongs to `alphabet`. Says nothing of where '=' stands or of
// the length: libsodium checks those.
inline bool base64_alphabet_only(std::string_view text, Base64Alphabet alphabet) {
  const bool url = alphabet == Base64Alphabet::url;
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    (url ? (c == '-' || c == '_') : (c == '+' || c == '/' || c == '='));
    if (!ok) return false;
  }
  return true;
}

}  // namespace todo
