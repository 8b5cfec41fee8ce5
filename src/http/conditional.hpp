#pragma once
// Conditional requests (RFC 9110 §13): reading If-Match, If-None-Match, If-Modified-Since
// and If-Unmodified-Since, and evaluating them against a resource's current entity-tag and
// modification time in the order of §13.2.2. Pure functions; handlers call read_preconditions
// before touching the content and evaluate_preconditions on the state they would change
// (inside its transaction, so that the check and the write see the same version).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/types.hpp"

namespace todo::http {

// An entity-tag (§8.8.3): `opaque` is the quoted string with its quotes, e.g. "\"3\"".
struct EntityTag {
  std::string opaque;
  bool weak = false;
};

// If-Match or If-None-Match: "*", or a list of entity-tags.
struct EntityTagCondition {
  bool any = false;  // "*"
  std::vector<EntityTag> tags;
};

// The field value(s) of If-Match / If-None-Match (§13.1.1, §13.1.2): "*" or
// #entity-tag, i.e. a comma-separated list of [W/]"opaque" (empty list elements are
// skipped, §5.6.1). nullopt when malformed: an unquoted tag (If-Match: 2), a lone W/,
// characters outside etagc, "*" inside a list, or nothing at all.
std::optional<EntityTagCondition> parse_entity_tags(std::string_view value);

// §8.8.3.2: the strong comparison (both strong, same opaque) and the weak one (same opaque).
bool strong_match(const EntityTag& a, const EntityTag& b);
bool weak_match(const EntityTag& a, const EntityTag& b);

// An HTTP-date (§5.6.7) in any of its three formats -- IMF-fixdate
// "Sun, 06 Nov 1994 08:49:37 GMT", rfc850-date "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit
// years more than 50 years ahead are taken as the past century) and asctime-date
// "Sun Nov  6 08:49:37 1994" -- as seconds since the epoch; nullopt for anything else,
// including lists of dates.
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now_seconds);
// IMF-fixdate of `seconds` (for Last-Modified).
std::string format_http_date(std::int64_t seconds);

// The preconditions of a request. Dates that are not HTTP-dates are ignored, as §13.1.3 and
// §13.1.4 require, and so is If-Modified-Since on a method other than GET and HEAD.
struct Preconditions {
  std::optional<EntityTagCondition> if_match;
  std::optional<EntityTagCondition> if_none_match;
  std::optional<std::int64_t> if_unmodified_since;  // seconds
  std::optional<std::int64_t> if_modified_since;    // seconds
  bool get_or_head = false;                         // the request method is safe to answer 304

  bool empty() const {
    return !if_match && !if_none_match && !if_unmodified_since && !if_modified_since;
  }
};

// The preconditions of `request` (every instance of each header, combined as one list).
// ErrorKind::bad_request naming "If-Match" or "If-None-Match" when that header is malformed.
Result<Preconditions> read_preconditions(const Request& request, std::int64_t now_seconds);

enum class Verdict { proceed, not_modified, failed };

struct PreconditionResult {
  Verdict verdict = Verdict::proceed;
  const char* header = nullptr;  // the header that failed or answered 304
};

// §13.2.2 for an existing resource whose current entity-tag is `etag` (strong, quoted) and
// whose last modification is `last_modified` (seconds): If-Match, else If-Unmodified-Since
// (412 when false); then If-None-Match (304 for GET/HEAD, else 412, when false), else
// If-Modified-Since for GET/HEAD (304 when false). proceed when every present condition
// holds.
PreconditionResult evaluate_preconditions(const Preconditions& p, std::string_view etag,
                                          std::int64_t last_modified);

// The 412 error for a failed result: ErrorKind::precondition_failed naming the header.
Error precondition_failed(const PreconditionResult& result, std::string_view what);

}  // namespace todo::http
