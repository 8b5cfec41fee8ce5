#include "reminders/reminder_plan.hpp"

#include <algorithm>

namespace todo::reminders {

using storage::ReminderJob;
using storage::ReminderState;

ReminderPlan plan_reminder(const std::optional<ReminderJob>& existing, const TaskState& task,
                           Millis now) {
  using Effect = ReminderPlan::Effect;
  if (task.deleted) {
    // The row stays (cancelled) so that the Dapr shape can delete the sidecar's job too.
    if (!existing) return {Effect::keep, {}};
    ReminderJob job = *existing;
    if (job.state == ReminderState::pending) job.state = ReminderState::cancelled;
    job.task_version = std::max(job.task_version, task.version);
    return {Effect::put, job};
  }
  if (existing && existing->task_version >= task.version) return {Effect::keep, {}};
  if (task.completed || !task.remind_at) {
    if (!existing) return {Effect::keep, {}};
    ReminderJob job = *existing;
    job.task_version = task.version;
    if (job.state == ReminderState::pending) job.state = ReminderState::cancelled;
    return {Effect::put, job};
  }
  const Millis remind_at = *task.remind_at;
  if (existing && existing->remind_at == remind_at) {
    ReminderJob job = *existing;
    job.task_version = task.version;
    // Cancelled by a completion, now pending again: schedule it if it is still ahead.
    if (job.state == ReminderState::cancelled && remind_at > now) {
      job.state = ReminderState::pending;
      job.fire_at = remind_at;
    }
    return {Effect::put, job};
  }
  return {Effect::put, ReminderJob{task.task_id, task.user_id, remind_at, remind_at,
                                   ReminderState::pending, task.version}};
}

}  // namespace todo::reminders
