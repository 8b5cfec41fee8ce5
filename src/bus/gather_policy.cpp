#include "bus/gather_policy.hpp"

#include <cmath>
#include <stdexcept>

namespace todo::bus {
namespace {

constexpr double kSmoothingMs = 20;

}  // namespace

GatherPolicy::GatherPolicy(std::chrono::microseconds floor, std::chrono::microseconds ceiling,
                           std::chrono::microseconds per_rate)
    : floor_(floor), ceiling_(ceiling), per_rate_(per_rate) {
  if (floor.count() < 0 || ceiling < floor || per_rate.count() < 0)
    throw std::invalid_argument("GatherPolicy: needs 0 <= floor <= ceiling, per_rate >= 0");
}

void GatherPolicy::observe(std::size_t events, Clock::time_point now) {
  if (last_) {
    const double ms = std::chrono::duration<double, std::milli>(now - *last_).count();
    // Two takes within the same microsecond say nothing about a rate.
    if (ms >= 0.001) {
      const double current = double(events) / ms;
      // Smoothed over ~20 ms of batches (an exponential moving average weighted by time): one
      // odd batch does not swing the wait, and a quiet interval longer than that forgets a
      // burst at once, so the first events after it do not wait the burst's long gather.
      const double weight = 1.0 - std::exp(-ms / kSmoothingMs);
      rate_ = seeded_ ? rate_ + weight * (current - rate_) : current;
      seeded_ = true;
    }
  }
  last_ = now;
}

std::chrono::microseconds GatherPolicy::wait() const {
  const double us = rate_ * double(per_rate_.count());
  if (!(us > double(floor_.count()))) return floor_;  // also a NaN rate
  if (us >= double(ceiling_.count())) return ceiling_;
  return std::chrono::microseconds(static_cast<long long>(us));
}

}  // namespace todo::bus
