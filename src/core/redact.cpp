// Hand-written on purpose: Boost.URL rejects much of what libpq accepts (several hosts
// "h1:5432,h2", a '@' or ' ' left unescaped in a password), and the masking must work on
// exactly those malformed values too; libpq's own PQconninfoParse fails on them as well and
// does not say where a value sits in the text.
#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace todo {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded (and '+' as a space, as in form-encoded queries when `plus` is set); malformed
// escapes are kept as written.
std::string percent_decoded(std::string_view s, bool plus = false) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += plus && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

bool has_scheme(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  for (char c : text.substr(0, sep))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  return std::isalpha(static_cast<unsigned char>(text.front())) != 0;
}

// Where the secrets of a URL sit: [begin, end) spans of the text.
using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

// Sorted, with overlapping spans merged.
Spans merged(Spans spans) {
  std::sort(spans.begin(), spans.end());
  Spans out;
  for (const auto& span : spans) {
    if (!out.empty() && span.first <= out.back().second)
      out.back().second = std::max(out.back().second, span.second);
    else
      out.push_back(span);
  }
  return out;
}

Spans url_secret_spans(std::string_view url) {
  Spans spans;
  const std::size_t start = url.find("://") + 3;
  // The userinfo ends at the last '@' (a password may hold an unescaped '@', '/' or '?';
  // when a later '@' sits in the query, the mask covers more than the password: safe).
  if (const std::size_t at = url.rfind('@'); at != std::string_view::npos && at >= start) {
    const std::size_t colon = url.find(':', start);
    if (colon != std::string_view::npos && colon < at) spans.emplace_back(colon + 1, at);
  }
  // Query parameters from the first '?' on (one inside a password only adds spans).
  const std::size_t query = url.find('?', start);
  if (query == std::string_view::npos) return spans;
  const std::size_t fragment = url.find('#', query);
  const std::size_t end = fragment == std::string_view::npos ? url.size() : fragment;
  for (std::size_t p = query + 1; p < end;) {
    std::size_t amp = url.find('&', p);
    if (amp == std::string_view::npos || amp > end) amp = end;
    const std::string_view pair = url.substr(p, amp - p);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_secret_name(percent_decoded(pair.substr(0, eq), true)))
      spans.emplace_back(p + eq + 1, amp);
    p = amp + 1;
  }
  return merged(std::move(spans));
}

// libpq key=value pairs: keyword, optional spaces, '=', optional spaces, then a value that
// is '...' (with \' and \\) or runs to the next whitespace. A secret's span covers the value
// with its quotes. Text that breaks the syntax is masked to its end.
Spans conninfo_secret_spans(std::string_view s) {
  Spans spans;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  while (true) {
    skip_space();
    if (i >= s.size()) return spans;
    const std::size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const std::string_view key = s.substr(key_start, i - key_start);
    skip_space();
    if (i >= s.size() || s[i] != '=') {
      spans.emplace_back(key_start, s.size());  // not key=value: hide the rest
      return spans;
    }
    ++i;
    skip_space();
    const std::size_t value_start = i;
    if (i < s.size() && s[i] == '\'') {
      for (++i; i < s.size() && s[i] != '\''; ++i)
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
      if (i >= s.size()) {
        spans.emplace_back(value_start, s.size());  // unterminated quote
        return spans;
      }
      ++i;
    } else {
      for (; i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])); ++i)
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
    }
    if (is_secret_name(key)) spans.emplace_back(value_start, i);
  }
}

std::string masked(std::string_view text, const Spans& spans) {
  std::string out;
  std::size_t from = 0;
  for (const auto& [begin, end] : spans) {
    out.append(text.substr(from, begin - from));
    out.append(kMask);
    from = end;
  }
  out.append(text.substr(from));
  return out;
}

Spans spans_of(std::string_view text) {
  if (has_scheme(text)) return url_secret_spans(text);
  if (text.find('=') != std::string_view::npos) return conninfo_secret_spans(text);
  return {};
}

}  // namespace

bool is_secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kHints = {
      "pass", "pwd", "secret", "token", "key", "auth", "credential", "signature"};
  const std::string n = lower(name);
  for (std::string_view hint : kHints)
    if (n.find(hint) != std::string::npos) return true;
  return false;
}

std::string redact_url(std::string_view url) {
  return has_scheme(url) ? masked(url, url_secret_spans(url)) : std::string(url);
}

std::string redact_connection_string(std::string_view text) {
  return masked(text, spans_of(text));
}

std::vector<std::string> secrets_in_connection_string(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& [begin, end] : spans_of(text)) {
    std::string_view value = text.substr(begin, end - begin);
    if (value.empty()) continue;
    out.emplace_back(value);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      std::string unquoted;  // libpq's \' and \\ escapes undone
      for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) ++i;
        unquoted += value[i];
      }
      if (!unquoted.empty()) out.push_back(std::move(unquoted));
    }
    if (std::string decoded = percent_decoded(value); decoded != value) out.push_back(decoded);
    for (std::size_t from = 0; from < value.size();) {
      const std::size_t cut = value.find_first_of("@/:?#&,", from);
      const std::size_t to = cut == std::string_view::npos ? value.size() : cut;
      if (to > from && to - from < value.size()) out.emplace_back(value.substr(from, to - from));
      from = to + 1;
    }
  }
  return out;
}

std::string mask_secrets(std::string_view text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  auto word_char = [&](std::size_t i) {
    return i < out.size() && std::isalnum(static_cast<unsigned char>(out[i]));
  };
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t pos = out.find(secret); pos != std::string::npos;
         pos = out.find(secret, pos)) {
      const bool alone = (pos == 0 || !word_char(pos - 1)) && !word_char(pos + secret.size());
      if (secret.size() < 4 && !alone) {
        ++pos;
        continue;
      }
      out.replace(pos, secret.size(), kMask);
      pos += kMask.size();
    }
  }
  return out;
}

std::string_view redact_secret(std::string_view value) {
  return value.empty() ? std::string_view("unset") : kMask;
}

}  // namespace todo
