#include "assistant/tokens.hpp"

#include <array>

namespace todo::assistant {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_trailing_punct(char c) {
  return c == ',' || c == '.' || c == ';' || c == ':' || c == '?' || c == '!' || c == ')' ||
         c == '"';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(16);
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t begin = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    std::size_t end = i;
    // "5pm," -> "5pm"; a leading "!" (priority) or "#" (tag) stays; "!!" alone stays.
    while (end > begin + 1 && is_trailing_punct(text[end - 1])) --end;
    if (end == begin) continue;
    std::string_view word = text.substr(begin, end - begin);
    if (word.size() == 1 && (is_trailing_punct(word[0]) || word[0] == '-' || word[0] == '('))
      continue;
    Token t{begin, end, word, std::string(word)};
    for (char& c : t.lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    tokens.push_back(std::move(t));
  }
  return tokens;
}

std::optional<int> weekday_of(std::string_view w) {
  static constexpr std::array<std::array<std::string_view, 3>, 7> kNames = {{
      {"mon", "monday", "mondays"},
      {"tue", "tuesday", "tuesdays"},
      {"wed", "wednesday", "wednesdays"},
      {"thu", "thursday", "thursdays"},
      {"fri", "friday", "fridays"},
      {"sat", "saturday", "saturdays"},
      {"sun", "sunday", "sundays"},
  }};
  for (int d = 0; d < 7; ++d)
    for (auto name : kNames[d])
      if (w == name) return d;
  if (w == "tues" || w == "tu") return 1;
  if (w == "thur" || w == "thurs") return 3;
  return std::nullopt;
}

std::optional<int> month_of(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kLong = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; ++m) {
    if (w == kLong[m]) return m + 1;
    if (w.size() == 3 && kLong[m].substr(0, 3) == w) return m + 1;
  }
  if (w == "sept") return 9;
  return std::nullopt;
}

std::optional<int> number_of(std::string_view w, bool articles) {
  if (all_digits(w) && w.size() <= 3) {
    int n = 0;
    for (char c : w) n = n * 10 + (c - '0');
    return n;
  }
  static constexpr std::array<std::string_view, 13> kWords = {
      "zero",  "one",   "two",  "three", "four",   "five",  "six",
      "seven", "eight", "nine", "ten",   "eleven", "twelve"};
  for (int n = 0; n < static_cast<int>(kWords.size()); ++n)
    if (w == kWords[n]) return n;
  if (articles && (w == "a" || w == "an")) return 1;
  return std::nullopt;
}

std::optional<int> ordinal_of(std::string_view w) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "first", "second",  "third",  "fourth", "fifth",
      "sixth", "seventh", "eighth", "ninth",  "tenth"};
  for (int n = 0; n < static_cast<int>(kWords.size()); ++n)
    if (w == kWords[n]) return n + 1;
  if (w == "last") return -1;
  if (w.size() >= 3) {
    auto suffix = w.substr(w.size() - 2);
    if (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") {
      auto digits = w.substr(0, w.size() - 2);
      if (all_digits(digits) && digits.size() <= 3) return number_of(digits);
    }
  }
  return std::nullopt;
}

std::optional<int> day_of_month(std::string_view w) {
  std::optional<int> n;
  if (all_digits(w) && w.size() <= 2)
    n = number_of(w);
  else if (w.size() >= 3 && w.size() <= 4 && w[0] >= '0' && w[0] <= '9')
    n = ordinal_of(w);
  if (n && *n >= 1 && *n <= 31) return n;
  return std::nullopt;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // a 4-byte sequence is a surrogate pair
  }
  return units;
}

}  // namespace todo::assistant
