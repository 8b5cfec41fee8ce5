#pragma once
// The words of a message as the assistant's parser sees them: split on white space, each
// token with its byte range in the message, its text with trailing punctuation (",.;:?!")
// left out, and an ASCII-lower-cased copy for matching (the command and date words are
// English ASCII; other letters are kept as they are). Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace todo::assistant {

struct Token {
  std::size_t begin = 0;  // byte offset of the token in the message
  std::size_t end = 0;    // one past its last byte (trailing punctuation excluded)
  std::string_view text;  // message[begin, end)
  std::string lower;      // `text` with ASCII letters lower-cased
};

// The tokens of `text` (which must outlive them). Tokens never include white space; a
// token that is only punctuation (",", "-") is dropped.
std::vector<Token> tokenize(std::string_view text);

// Whether tokens[i] exists and is `word` (lower case).
inline bool is(const std::vector<Token>& tokens, std::size_t i, std::string_view word) {
  return i < tokens.size() && tokens[i].lower == word;
}

// Small word tables. Each answers nullopt for a word it does not know.
std::optional<int> weekday_of(std::string_view lower);  // "mon"/"monday" -> 0 (Monday) .. 6
std::optional<int> month_of(std::string_view lower);    // "jan"/"january" -> 1 .. 12
// "3" -> 3; "three" -> 3; "a"/"an" -> 1 (only when `articles`); 0..999 for digits.
std::optional<int> number_of(std::string_view lower, bool articles = false);
// "first"/"1st"/"2nd"/"23rd" -> 1, 2, 23; "last" -> -1.
std::optional<int> ordinal_of(std::string_view lower);
// A day of the month: "5", "05", "5th", "1st" -> 1..31.
std::optional<int> day_of_month(std::string_view lower);

// The number of UTF-16 code units of the UTF-8 text `utf8` (a code point above U+FFFF
// counts 2): what JavaScript's String.prototype.length and indices count.
std::size_t utf16_length(std::string_view utf8);

// Two-letter RFC 5545 weekday names, Monday first (RFC 5545 §3.3.10 "weekday").
inline constexpr const char* kRruleDays[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

}  // namespace todo::assistant
