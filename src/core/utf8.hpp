#pragma once
// UTF-8 decoding (RFC 3629): strict — overlong forms, surrogates, code points past U+10FFFF
// and truncated sequences are malformed. For validators of client text (task fields,
// passwords); text parsed by Boost.JSON is valid UTF-8 already, but values built in code or
// taken from a query string carry no such guarantee.
#include <optional>
#include <string_view>
#include <vector>

namespace todo {

// Decodes the sequence at byte `i` of `s` and advances `i` past it; nullopt when malformed
// (then `i` is unchanged).
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i);

// Every code point of `s`; nullopt when any sequence is malformed.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s);

// Unicode White_Space (so that a title of only no-break spaces counts as empty).
bool is_unicode_space(char32_t c);

}  // namespace todo
