#pragma once
// What a task change means for its reminder, as a pure function (unit-tested in
// tests/reminders/reminder_plan_test.cpp). ARCHITECTURE.md §4; issue 10's rules:
//   - a pending task with remind_at gets exactly one reminder at that instant;
//   - changing remind_at reschedules it; clearing it, completing or deleting the task cancels it;
//   - un-completing a task whose remind_at is still in the future schedules it again;
//   - a reminder that fired (or was missed) for a remind_at never fires again for the same
//     remind_at, whatever else changes in the task;
//   - a snooze (fire_at later than remind_at) survives changes that keep remind_at.
#include <optional>
#include <string>

#include "storage/reminder_store.hpp"

namespace todo::reminders {

// The task as an event describes it.
struct TaskState {
  std::int64_t task_id = 0;
  std::string user_id;
  bool deleted = false;
  bool completed = false;
  std::optional<Millis> remind_at;  // UTC ms
  std::int64_t version = 0;
};

struct ReminderPlan {
  enum class Effect { keep, put };
  Effect effect = Effect::keep;
  storage::ReminderJob job;  // for put
};

// `existing`: the task's job row, if any; `now`: the event's processing time (UTC ms).
// Events older than the row (task version not above the row's) change nothing, except a
// deletion, which cancels a pending job (the row stays: the Dapr shape deletes the sidecar's
// job from it).
ReminderPlan plan_reminder(const std::optional<storage::ReminderJob>& existing,
                           const TaskState& task, Millis now);

}  // namespace todo::reminders
