#pragma once
// Optional white space in HTTP field values (RFC 9110 §5.6.3: OWS = *( SP / HTAB )), shared
// by the header parsers of this folder. Case-insensitive comparison of tokens is
// boost::beast::iequals.
#include <string_view>

namespace todo::http {

constexpr bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// `s` without OWS at either end.
constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace todo::http
