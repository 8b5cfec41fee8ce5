#include "reminders/scheduler.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/time.hpp"
#include "reminders/firing.hpp"
#include "storage/reminder_store.hpp"
#include "storage/sync.hpp"

namespace todo::reminders {
namespace {

constexpr int kFireBatch = 500;
constexpr std::chrono::minutes kLongestSleep{5};
constexpr std::chrono::seconds kRetryAfterFailure{1};

}  // namespace

ReminderScheduler::ReminderScheduler(storage::Database& db, const bus::OutboxWriter& outbox,
                                     ops::Metrics& metrics, std::chrono::milliseconds horizon,
                                     const storage::StreamSignal* stream)
    : db_(db), outbox_(outbox), metrics_(metrics), horizon_(horizon), stream_(stream) {}

ReminderScheduler::~ReminderScheduler() {
  stop();
}

void ReminderScheduler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void ReminderScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReminderScheduler::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

int ReminderScheduler::fire_now() {
  int fired = 0;
  for (;;) {
    FireResult result;
    auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
      result = fire_due(tx, outbox_, now_millis(), Millis(horizon_.count()), kFireBatch);
    });
    if (!status) throw std::runtime_error(status.error().detail);
    count_fired(metrics_, result, now_millis());
    if (stream_)
      for (const auto& user : result.users) stream_->appended(user);
    fired += int(result.fired_fire_at.size());
    if (!result.more) return fired;
  }
}

void ReminderScheduler::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;  // changes committed after this point wake us again
    }
    std::chrono::milliseconds sleep = kLongestSleep;
    try {
      fire_now();
      std::optional<Millis> next;
      auto status = storage::read_and_wait(
          db_, [&](storage::Tx& tx) { next = storage::reminders(tx).next_fire_at(); });
      if (!status) throw std::runtime_error(status.error().detail);
      if (next)
        sleep = std::clamp(std::chrono::milliseconds(*next - now_millis()),
                           std::chrono::milliseconds(0), std::chrono::milliseconds(kLongestSleep));
    } catch (const std::exception& e) {
      log::warn("reminder scheduler: {}; retrying in {} s", e.what(), kRetryAfterFailure.count());
      sleep = kRetryAfterFailure;
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, sleep, [this] { return stopping_ || woken_; });
  }
}

}  // namespace todo::reminders
