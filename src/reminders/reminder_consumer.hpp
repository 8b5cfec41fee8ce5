#pragma once
// ReminderConsumer: the consumer "reminders" of task-events (bus/consumer.hpp). Each event
// updates its task's row in reminder_jobs as reminders/reminder_plan.hpp says, in the
// consumer's transaction (exactly once by the contract's dedupe row). After the commit it
// calls `changed` (the scheduler's wake-up), so a new or moved reminder is waited for at once.
// An event without event_type, task_id or task_version, or whose remind_at is not RFC 3339,
// is given up (poison).
//
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
#include <atomic>
#include <functional>
#include <string>

#include "bus/consumer.hpp"
#include "ops/metrics.hpp"

namespace todo::reminders {

class ReminderConsumer final : public bus::Consumer {
 public:
  ReminderConsumer(ops::Metrics& metrics, std::function<void()> changed);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  // Every update, and creations, completions and deletions of tasks that have a reminder time
  // (without one there is nothing to schedule and nothing left to cancel: the update that
  // cleared it came first); anything unreadable too, to give it up.
  bool wants(const bus::Event& event) const override;
  // A reminder job scheduled 25 ms later fires at the same instant (bus/consumer.hpp,
  // gather()): fewer, larger batches beside ordinary writes.
  std::chrono::milliseconds gather() const override { return std::chrono::milliseconds(25); }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "reminders";
  std::string topic_ = "task-events";
  ops::Metrics& metrics_;
  std::function<void()> changed_;
  std::atomic<long long> scheduled_{0};  // pending jobs put by handle(), counted at commit
};

}  // namespace todo::reminders
