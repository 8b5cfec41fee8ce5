#pragma once
// What an attempt's answer means for a webhook delivery, and when to try again. Pure.
// Retries back off exponentially with jitter for about a day (5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h, 10 h: 27 h 35 min in all, the schedule of the Standard Webhooks reference
// implementation), then the delivery is dead.
#include <array>
#include <optional>

#include "core/outcome.hpp"
#include "core/time.hpp"

namespace todo::webhooks {

// succeeded: 2xx. retry: no answer for a transient reason (timeout, connection refused or
// reset, DNS), 429, 5xx. gone: 410 (the endpoint is disabled). failed: any other answer — a
// 3xx (redirects are never followed), another 4xx — or a permanent failure without one (TLS
// verification). refused: the SSRF guard would not let the URL be reached.
enum class Verdict { succeeded, retry, failed, gone, refused };
const char* verdict_name(Verdict v);  // the metric's outcome label: "succeeded", ...

// `status`: the HTTP status (0: no answer); `transport`: the client's outcome for the call
// (net/http_client.hpp), which decides only when there was no answer. A 2xx whose body was
// over the cap still succeeded: the body is never needed.
Verdict classify_attempt(int status, Outcome transport);

inline constexpr std::array<Millis, 7> kRetrySchedule = {
    5'000, 300'000, 1'800'000, 7'200'000, 18'000'000, 36'000'000, 36'000'000};

// The delay before the next attempt after `failed_attempts` (>= 1) attempts failed
// transiently, or nullopt when the schedule is exhausted (the delivery is dead). `scale`
// multiplies the schedule (1 in production; tests make it milliseconds); `jitter` in [0, 1)
// spreads each delay over ±10 % so that endpoints recovering at once are not hit together.
// Never below 1 ms.
std::optional<Millis> retry_delay(int failed_attempts, double scale, double jitter);

}  // namespace todo::webhooks
