#include "http/conditional.hpp"

#include <time.h>

#include <array>

#include "http/ows.hpp"

namespace todo::http {
namespace {

// etagc = %x21 / %x23-7E / obs-text
bool etagc(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

// Every instance of a header, joined as one list (§5.3: a recipient may combine them).
std::optional<std::string> combined(const Request& request, beast_http::field f) {
  std::optional<std::string> out;
  auto [first, last] = request.equal_range(f);
  for (auto it = first; it != last; ++it) {
    if (out)
      *out += ", ";
    else
      out.emplace();
    *out += std::string_view(it->value());
  }
  return out;
}

// One header's single HTTP-date; nullopt when absent, repeated or not a date (ignored then).
std::optional<std::int64_t> date_header(const Request& request, beast_http::field f,
                                        std::int64_t now) {
  auto [first, last] = request.equal_range(f);
  if (first == last || std::next(first) != last) return std::nullopt;
  return parse_http_date(std::string_view(first->value()), now);
}

bool any_tag(const EntityTagCondition& c, const EntityTag& current,
             bool (*match)(const EntityTag&, const EntityTag&)) {
  if (c.any) return true;  // the resource exists: callers only evaluate existing ones
  for (const EntityTag& t : c.tags)
    if (match(t, current)) return true;
  return false;
}

}  // namespace

std::optional<EntityTagCondition> parse_entity_tags(std::string_view value) {
  value = trim_ows(value);
  EntityTagCondition out;
  if (value == "*") {
    out.any = true;
    return out;
  }
  std::size_t i = 0;
  while (i < value.size()) {
    // Skip OWS and empty list elements.
    if (is_ows(value[i]) || value[i] == ',') {
      ++i;
      continue;
    }
    EntityTag tag;
    if (value.compare(i, 2, "W/") == 0) {  // %s"W/": case-sensitive
      tag.weak = true;
      i += 2;
    }
    if (i >= value.size() || value[i] != '"') return std::nullopt;
    const std::size_t open = i++;
    while (i < value.size() && etagc(static_cast<unsigned char>(value[i]))) ++i;
    if (i >= value.size() || value[i] != '"') return std::nullopt;
    tag.opaque = std::string(value.substr(open, ++i - open));
    out.tags.push_back(std::move(tag));
    while (i < value.size() && is_ows(value[i])) ++i;
    if (i < value.size() && value[i] != ',') return std::nullopt;  // junk after a tag
  }
  if (out.tags.empty()) return std::nullopt;
  return out;
}

bool strong_match(const EntityTag& a, const EntityTag& b) {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) {
  return a.opaque == b.opaque;
}

// libc's strptime parses the three formats; the program never calls setlocale, so day and
// month names are the C locale's English ones, as HTTP wants.
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now_seconds) {
  static constexpr std::array<const char*, 3> kFormats = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // rfc850-date (obsolete)
      "%a %b %e %H:%M:%S %Y",       // asctime-date (obsolete)
  };
  const std::string s(trim_ows(text));
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  for (std::size_t f = 0; f < kFormats.size(); ++f) {
    struct tm tm {};
    const char* end = strptime(s.c_str(), kFormats[f], &tm);
    if (end == nullptr || *end != '\0') continue;
    if (f == 1) {
      // §5.6.7: a two-digit year is this century's, unless that is more than 50 years
      // ahead: then it is the previous century's (strptime's own 1969..2068 window is not).
      struct tm now_tm {};
      const time_t now = static_cast<time_t>(now_seconds);
      gmtime_r(&now, &now_tm);
      const int year = now_tm.tm_year + 1900;
      int full = year - year % 100 + (tm.tm_year + 1900) % 100;
      if (full > year + 50) full -= 100;
      tm.tm_year = full - 1900;
    }
    struct tm check = tm;
    const time_t t = timegm(&check);
    // timegm normalizes "31 Feb" into March: such a date does not exist.
    if (check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon || check.tm_hour != tm.tm_hour ||
        check.tm_min != tm.tm_min || check.tm_sec != tm.tm_sec)
      return std::nullopt;
    return static_cast<std::int64_t>(t);
  }
  return std::nullopt;
}

std::string format_http_date(std::int64_t seconds) {
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

Result<Preconditions> read_preconditions(const Request& request, std::int64_t now_seconds) {
  Preconditions p;
  p.get_or_head =
      request.method() == beast_http::verb::get || request.method() == beast_http::verb::head;
  constexpr const char* kForm =
      "must be \"*\" or a list of quoted entity-tags like \"3\" or W/\"3\"";
  if (auto v = combined(request, beast_http::field::if_match)) {
    p.if_match = parse_entity_tags(*v);
    if (!p.if_match) return Error::field(ErrorKind::bad_request, "If-Match", kForm);
  }
  if (auto v = combined(request, beast_http::field::if_none_match)) {
    p.if_none_match = parse_entity_tags(*v);
    if (!p.if_none_match) return Error::field(ErrorKind::bad_request, "If-None-Match", kForm);
  }
  p.if_unmodified_since = date_header(request, beast_http::field::if_unmodified_since, now_seconds);
  if (p.get_or_head)
    p.if_modified_since = date_header(request, beast_http::field::if_modified_since, now_seconds);
  return p;
}

PreconditionResult evaluate_preconditions(const Preconditions& p, std::string_view etag,
                                          std::int64_t last_modified) {
  const EntityTag current{std::string(etag), false};
  // Steps 1 and 2: If-Match, or else If-Unmodified-Since.
  if (p.if_match) {
    if (!any_tag(*p.if_match, current, strong_match)) return {Verdict::failed, "If-Match"};
  } else if (p.if_unmodified_since && last_modified > *p.if_unmodified_since) {
    return {Verdict::failed, "If-Unmodified-Since"};
  }
  // Steps 3 and 4: If-None-Match, or else If-Modified-Since (GET and HEAD only).
  if (p.if_none_match) {
    if (any_tag(*p.if_none_match, current, weak_match))
      return {p.get_or_head ? Verdict::not_modified : Verdict::failed, "If-None-Match"};
  } else if (p.get_or_head && p.if_modified_since && last_modified <= *p.if_modified_since) {
    return {Verdict::not_modified, "If-Modified-Since"};
  }
  return {};
}

Error precondition_failed(const PreconditionResult& result, std::string_view what) {
  const std::string header = result.header ? result.header : "If-Match";
  std::string message = header == "If-Match"              ? "does not match the current entity-tag"
                        : header == "If-None-Match"       ? "matches the current entity-tag"
                        : header == "If-Unmodified-Since" ? "is before the last modification"
                                                          : "is not met";
  Error e = Error::make(ErrorKind::precondition_failed, std::string(what) + "; " + header + " " +
                                                            message + "; reload it and retry");
  e.errors.push_back({header, message});
  return e;
}

}  // namespace todo::http
