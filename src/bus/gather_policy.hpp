#pragma once
// GatherPolicy: how long a relay target waits after a wake-up before it reads the outbox, so
// that one read, one transaction and one acknowledgement carry the events of several commits.
//
// Each batch costs a fixed round of statements (on PostgreSQL: BEGIN, the target's lock, the
// read, the consumer's dedupe rows and effect, the acknowledgement, COMMIT, each a round trip)
// whatever its size. When events come slowly that round is cheap beside the machine's idle
// time and the wait stays at `floor` (the audit's lag at 1 000 events/s is ~2 ms). When they
// come fast the rounds compete with the users' writes for the same cores: the wait then grows
// with the target's arrival rate, by `per_rate` for each event per millisecond, up to
// `ceiling` (bench/RESULTS.md, issue 15: at ~10 000 creates/s on PostgreSQL a 1 ms wait took
// batches of ~40 events and cost each create ~14 µs of CPU more than a 5–15 ms wait).
//
// The rate is estimated from the batches themselves (events taken / time since the previous
// take, smoothed over the last ~20 ms of batches), so it does not depend on the wait it sets: a
// longer wait makes larger batches at the same rate. Time is the steady clock. Not
// thread-safe: each relay target's thread owns its own.
#include <chrono>
#include <cstddef>
#include <optional>

namespace todo::bus {

class GatherPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  // floor <= ceiling; per_rate: extra wait per event per millisecond of arrival rate.
  GatherPolicy(std::chrono::microseconds floor, std::chrono::microseconds ceiling,
               std::chrono::microseconds per_rate = std::chrono::milliseconds(1));

  // A batch of `events` rows (0 for an empty read) was taken at `now`.
  void observe(std::size_t events, Clock::time_point now);

  // The wait before the next read: floor, ceiling, or per_rate × the estimated rate between.
  std::chrono::microseconds wait() const;

  // The estimated arrival rate in events per millisecond (0 before two batches).
  double rate_per_ms() const { return rate_; }

 private:
  std::chrono::microseconds floor_;
  std::chrono::microseconds ceiling_;
  std::chrono::microseconds per_rate_;
  std::optional<Clock::time_point> last_;
  double rate_ = 0;
  bool seeded_ = false;  // rate_ holds an estimate (a quiet spell may bring it to exactly 0)
};

}  // namespace todo::bus
