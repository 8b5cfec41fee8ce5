#pragma once
// The outcome of every side effect that can fail (ARCHITECTURE.md §2, §7): event consumers,
// the outbox relay's targets, Dapr deliveries, outbound HTTP calls. One vocabulary, mapped to
// a wire format in one place each (Dapr: bus/dapr/subscriptions.cpp).
#include <string_view>

namespace todo {

enum class Outcome {
  done,         // the effect happened (or had happened before): acknowledge
  retry_later,  // transient failure: the same input again after a backoff
  give_up,      // poison or permanent refusal: acknowledge without effect, count, log
};

constexpr std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::done:
      return "done";
    case Outcome::retry_later:
      return "retry_later";
    case Outcome::give_up:
      return "give_up";
  }
  return "give_up";
}

}  // namespace todo
