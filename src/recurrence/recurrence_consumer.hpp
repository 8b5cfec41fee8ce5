#pragma once
// RecurrenceConsumer: the consumer "recurrence" of task-events (bus/consumer.hpp). For each
// `completed` event of a task with a recurrence rule it creates the next occurrence — a new
// task with the same title, description, priority, tags, rule and time zone, the next due
// date (recurrence/series.hpp), completed false, series_id set — and writes that task's
// `created` event through the outbox, all in the consumer's transaction.
//
// Exactly once: ConsumerRunner skips an event this consumer handled before (a redelivery),
// and the recurrence_next row claimed per completed task id (storage/recurrence_store.hpp)
// keeps a second completion of the same task (complete, un-complete, complete), or a
// concurrent replica, from bringing a second occurrence. Other events, tasks without a
// rule, and series that ended are done with no effect; a completed event whose snapshot is
// not a valid task is given up (poison), never retried. A completion whose account was
// deleted meanwhile is done with no effect.
//
// Threads: handle() runs on the driver's database thread; committed() on the driver's thread.
#include <mutex>
#include <string>
#include <unordered_set>

#include "bus/consumer.hpp"
#include "bus/outbox_writer.hpp"
#include "ops/metrics.hpp"
#include "tasks/task_writes.hpp"

namespace todo::recurrence {

class RecurrenceConsumer final : public bus::Consumer {
 public:
  // `outbox`: where the new occurrence's created event goes (its task-events mask is read
  // when the event is written, after the relay has started).
  // `task_writes`: told after the commit whose users got a new task (cached lists end).
  RecurrenceConsumer(const bus::OutboxWriter& outbox, const TaskWrites& task_writes,
                     ops::Metrics& metrics);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  // Completed events of tasks with a rule (and anything unreadable, to give it up).
  bool wants(const bus::Event& event) const override;
  // A next occurrence 25 ms later is invisible to a user; batches ten times larger at 500
  // completions/s spare ordinary writes (bus/consumer.hpp, gather()).
  std::chrono::milliseconds gather() const override { return std::chrono::milliseconds(25); }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  // done (with or without a new occurrence: `created`) or give_up.
  Outcome handle_one(storage::Tx& tx, const bus::Event& event, bool& created);

  std::string name_ = "recurrence";
  std::string topic_ = "task-events";
  const bus::OutboxWriter& outbox_;
  const TaskWrites& task_writes_;
  ops::Metrics& metrics_;
  // Events whose handling made an occurrence, from handle() to committed() (which may run on
  // other threads, several deliveries at once): for the metrics. An entry of a transaction
  // that rolled back stays until its redelivery commits.
  std::mutex mutex_;
  std::unordered_set<std::string> created_;
};

}  // namespace todo::recurrence
