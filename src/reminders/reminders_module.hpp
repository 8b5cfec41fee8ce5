#pragma once
// reminders: reminders that fire once at their time, and the in-app notifications they become
// (until issue 11's notifications module takes the notification routes over).
//   - the consumer "reminders" of task-events keeps reminder_jobs in step with the tasks
//     (reminders/reminder_consumer.hpp, reminders/reminder_plan.hpp);
//   - the embedded scheduler fires due jobs (reminders/scheduler.hpp, reminders/firing.hpp);
//   - GET /api/{user_id}/notifications (unread filter, cursor paging, unread_count),
//     POST /api/{user_id}/notifications/{id}/read, POST /api/{user_id}/notifications/read-all,
//     POST /api/{user_id}/notifications/{id}/snooze {until} (re-arms the reminder);
//   - /readyz check "reminders": degraded when a pending job is overdue past
//     --reminder-ready-max-overdue.
// Options: --reminder-horizon (TODO_REMINDER_HORIZON, default 24h),
// --reminder-ready-max-overdue (TODO_REMINDER_READY_MAX_OVERDUE, default 60s).
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::reminders {

struct ReminderOptions {
  std::string horizon = "24h";
  std::string ready_max_overdue = "60s";
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::reminders
