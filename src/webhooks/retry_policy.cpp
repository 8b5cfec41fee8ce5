#include "webhooks/retry_policy.hpp"

#include <algorithm>

namespace todo::webhooks {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::succeeded:
      return "succeeded";
    case Verdict::retry:
      return "retry";
    case Verdict::failed:
      return "failed";
    case Verdict::gone:
      return "gone";
    case Verdict::refused:
      return "refused";
  }
  return "failed";
}

Verdict classify_attempt(int status, Outcome transport) {
  if (status >= 200 && status <= 299) return Verdict::succeeded;
  if (status == 410) return Verdict::gone;
  if (status == 429 || status >= 500) return Verdict::retry;
  if (status != 0) return Verdict::failed;
  return transport == Outcome::retry_later ? Verdict::retry : Verdict::failed;
}

std::optional<Millis> retry_delay(int failed_attempts, double scale, double jitter) {
  if (failed_attempts < 1 || failed_attempts > int(kRetrySchedule.size())) return std::nullopt;
  double base = double(kRetrySchedule[std::size_t(failed_attempts - 1)]) * scale;
  double spread = 0.9 + 0.2 * std::clamp(jitter, 0.0, 1.0);
  return std::max<Millis>(1, Millis(base * spread));
}

}  // namespace todo::webhooks
