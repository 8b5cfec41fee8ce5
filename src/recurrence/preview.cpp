#include "recurrence/preview.hpp"

#include <charconv>

#include "http/id_paging.hpp"
#include "tasks/recurrence.hpp"

namespace todo::recurrence {

Result<PreviewQuery> parse_preview_query(const boost::urls::params_view& params) {
  PreviewQuery q;
  Error malformed{ErrorKind::bad_request};
  Error invalid{ErrorKind::validation};
  bool has_rule = false;
  http::refuse_repeated_params(params, malformed.errors);
  for (const auto& p : params) {
    std::string_view key = p.key;
    std::string_view value = p.value;
    if (key.empty() && value.empty()) continue;
    if (key == "rule") {
      has_rule = true;
      if (auto why = rrule_error(value))
        invalid.errors.push_back({"rule", *why});
      else
        q.rule = std::string(value);
    } else if (key == "timezone") {
      if (!is_known_timezone(value))
        invalid.errors.push_back(
            {"timezone", "must be a known IANA time zone name, e.g. Europe/Berlin"});
      else
        q.timezone = std::string(value);
    } else if (key == "dtstart") {
      auto t = parse_rfc3339(value);
      if (!t)
        malformed.errors.push_back(
            {"dtstart", "must be an RFC 3339 date-time with offset, e.g. 2026-12-01T09:00:00Z"});
      else
        q.dtstart = *t;
    } else if (key == "count") {
      int n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 10)
        malformed.errors.push_back({"count", "must be an integer from 1 to 10"});
      else
        q.count = n;
    } else {
      malformed.errors.push_back({std::string(key.substr(0, 64)),
                                  "is not a known parameter (rule, timezone, dtstart, count)"});
    }
  }
  if (!has_rule) invalid.errors.push_back({"rule", "is required"});
  // Malformed syntax first (400), then invalid values (422), as the task routes answer.
  Error& e = malformed.errors.empty() ? invalid : malformed;
  if (e.errors.empty()) return q;
  for (const auto& f : e.errors)
    e.detail += (e.detail.empty() ? "" : "; ") + f.field + " " + f.message;
  return e;
}

std::vector<Millis> preview_dates(const PreviewQuery& query, Millis dtstart) {
  // One expansion for all of them. DTSTART itself is the first instance when the rule
  // yields it.
  return occurrences(query.rule, query.timezone, dtstart, dtstart - 1, query.count);
}

}  // namespace todo::recurrence
