#pragma once
// GET /api/{user_id}/recurrence/preview?rule=&timezone=&dtstart=&count= — the next dates of a
// rule as the editor's user types it, computed here so that the UI shows exactly what the
// recurrence consumer will create. Pure functions; unit-tested in tests/recurrence.
#include <boost/url/params_view.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace todo::recurrence {

struct PreviewQuery {
  std::string rule;               // an RRULE, validated as task input is (tasks/recurrence.hpp)
  std::string timezone = "UTC";   // IANA name
  std::optional<Millis> dtstart;  // RFC 3339; the caller's "now" when absent
  int count = 3;                  // 1..10
};

// The query, or a 400 (malformed or unknown parameter) / 422 (invalid rule or time zone)
// problem naming each bad parameter.
Result<PreviewQuery> parse_preview_query(const boost::urls::params_view& params);

// The first `count` instances (UTC ms) of the rule in its time zone with DTSTART `dtstart`,
// DTSTART itself included when the rule yields it; fewer when COUNT or UNTIL end it first.
std::vector<Millis> preview_dates(const PreviewQuery& query, Millis dtstart);

}  // namespace todo::recurrence
