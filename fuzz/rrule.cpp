// Recurrence rules and time zones of tasks (tasks/rrule.hpp, tasks/recurrence.hpp) and the
// preview query that shows a rule's next dates (recurrence/preview.hpp).
// Input: "<RRULE>\n<IANA zone>\n<query string of /recurrence/preview>".
// Invariants: a rule rrule_error accepts passed the RFC 5545 checks and has an occurrence;
// every next occurrence is strictly after the instant asked about and the preview's dates
// increase; refusals are 400/422. A rule that keeps libical busy shows up as a timeout.
#include <boost/url/parse.hpp>
#include <string>

#include "core/time.hpp"
#include "fuzz_support.hpp"
#include "recurrence/preview.hpp"
#include "tasks/recurrence.hpp"
#include "tasks/rrule.hpp"

using namespace todo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(fuzz::as_text(data, size));
  const std::string_view rule = in.until('\n');
  const std::string_view zone = in.until('\n');
  const std::string_view query = in.rest();

  const auto parsed = rrule::parse(rule);
  const std::optional<std::string> why = rrule_error(rule);
  if (!why) {
    FUZZ_CHECK(std::holds_alternative<rrule::Rule>(parsed));
    FUZZ_CHECK(rrule::has_occurrence(std::get<rrule::Rule>(parsed)));
  } else {
    FUZZ_CHECK(!why->empty());
  }
  if (const auto* r = std::get_if<rrule::Rule>(&parsed)) {
    FUZZ_CHECK(r->interval >= 1 && !(r->count && r->has_until));
  }

  const bool known_zone = is_known_timezone(zone);
  if (known_zone) FUZZ_CHECK(zoned_time(0, zone).has_value());
  if (!why && known_zone) {
    constexpr Millis kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
    if (auto next = next_occurrence(rule, zone, kStart, kStart)) FUZZ_CHECK(*next > kStart);
  }

  // The preview route: its own query parser, then the same engine.
  std::string target = "/p?";
  target.append(query);
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return 0;
  Result<recurrence::PreviewQuery> preview = recurrence::parse_preview_query(url->params());
  if (!preview) {
    FUZZ_CHECK(preview.error().kind == ErrorKind::bad_request ||
               preview.error().kind == ErrorKind::validation);
    return 0;
  }
  FUZZ_CHECK(preview->count >= 1 && preview->count <= 10 && !rrule_error(preview->rule));
  FUZZ_CHECK(is_known_timezone(preview->timezone));
  const Millis dtstart = preview->dtstart.value_or(1'767'225'600'000);
  const std::vector<Millis> dates = recurrence::preview_dates(*preview, dtstart);
  FUZZ_CHECK(dates.size() <= static_cast<std::size_t>(preview->count));
  for (std::size_t i = 0; i < dates.size(); ++i) {
    FUZZ_CHECK(dates[i] >= dtstart);
    if (i > 0) FUZZ_CHECK(dates[i] > dates[i - 1]);
  }
  return 0;
}
