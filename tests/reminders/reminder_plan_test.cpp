// What each task change does to its reminder (reminders/reminder_plan.hpp).
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "reminders/firing.hpp"
#include "reminders/reminder_plan.hpp"

namespace todo::reminders {
namespace {

using storage::ReminderJob;
using storage::ReminderState;
using Effect = ReminderPlan::Effect;

constexpr Millis kNow = 1'800'000'000'000;
constexpr Millis kLater = kNow + 3'600'000;
constexpr Millis kEarlier = kNow - 3'600'000;

TaskState task(std::optional<Millis> remind_at, std::int64_t version, bool completed = false) {
  return TaskState{7, "u_a", false, completed, remind_at, version};
}

ReminderJob job(Millis remind_at, ReminderState state, std::int64_t version,
                std::optional<Millis> fire_at = std::nullopt) {
  return ReminderJob{7, "u_a", remind_at, fire_at.value_or(remind_at), state, version};
}

TEST(ReminderPlan, ANewRemindAtIsScheduledAtThatInstant) {
  auto p = plan_reminder(std::nullopt, task(kLater, 1), kNow);
  ASSERT_EQ(p.effect, Effect::put);
  EXPECT_EQ(p.job.state, ReminderState::pending);
  EXPECT_EQ(p.job.fire_at, kLater);
  EXPECT_EQ(p.job.remind_at, kLater);
  EXPECT_EQ(p.job.task_version, 1);
  EXPECT_EQ(plan_reminder(std::nullopt, task(std::nullopt, 1), kNow).effect, Effect::keep);
}

TEST(ReminderPlan, ChangingRemindAtReschedulesEvenAFiredOne) {
  auto p = plan_reminder(job(kEarlier, ReminderState::fired, 2), task(kLater, 3), kNow);
  ASSERT_EQ(p.effect, Effect::put);
  EXPECT_EQ(p.job.state, ReminderState::pending);
  EXPECT_EQ(p.job.fire_at, kLater);
}

TEST(ReminderPlan, ClearingOrCompletingCancelsAPendingOne) {
  auto cleared = plan_reminder(job(kLater, ReminderState::pending, 1), task(std::nullopt, 2), kNow);
  ASSERT_EQ(cleared.effect, Effect::put);
  EXPECT_EQ(cleared.job.state, ReminderState::cancelled);
  auto done = plan_reminder(job(kLater, ReminderState::pending, 1), task(kLater, 2, true), kNow);
  EXPECT_EQ(done.job.state, ReminderState::cancelled);
  // A fired one stays fired (it is history, not a plan).
  auto fired = plan_reminder(job(kEarlier, ReminderState::fired, 1), task(kEarlier, 2, true), kNow);
  EXPECT_EQ(fired.job.state, ReminderState::fired);
}

TEST(ReminderPlan, DeletingCancelsAPendingJobWhateverTheVersion) {
  TaskState deleted = task(kLater, 1);
  deleted.deleted = true;
  auto p = plan_reminder(job(kLater, ReminderState::pending, 1), deleted, kNow);
  ASSERT_EQ(p.effect, Effect::put);
  EXPECT_EQ(p.job.state, ReminderState::cancelled);
  EXPECT_EQ(plan_reminder(job(kEarlier, ReminderState::fired, 1), deleted, kNow).job.state,
            ReminderState::fired);
  EXPECT_EQ(plan_reminder(std::nullopt, deleted, kNow).effect, Effect::keep);
}

TEST(ReminderPlan, UncompletingRearmsOnlyAFutureReminder) {
  auto future = plan_reminder(job(kLater, ReminderState::cancelled, 2), task(kLater, 3), kNow);
  EXPECT_EQ(future.job.state, ReminderState::pending);
  EXPECT_EQ(future.job.fire_at, kLater);
  auto past = plan_reminder(job(kEarlier, ReminderState::cancelled, 2), task(kEarlier, 3), kNow);
  EXPECT_EQ(past.job.state, ReminderState::cancelled);
}

TEST(ReminderPlan, OtherChangesNeverFireTheSameRemindAtTwiceAndKeepASnooze) {
  auto fired = plan_reminder(job(kEarlier, ReminderState::fired, 2), task(kEarlier, 3), kNow);
  EXPECT_EQ(fired.job.state, ReminderState::fired);
  EXPECT_EQ(fired.job.task_version, 3);
  auto missed = plan_reminder(job(kEarlier, ReminderState::missed, 2), task(kEarlier, 3), kNow);
  EXPECT_EQ(missed.job.state, ReminderState::missed);
  auto snoozed =
      plan_reminder(job(kEarlier, ReminderState::pending, 2, kLater), task(kEarlier, 3), kNow);
  EXPECT_EQ(snoozed.job.state, ReminderState::pending);
  EXPECT_EQ(snoozed.job.fire_at, kLater) << "a title change keeps the snooze";
}

TEST(ReminderPlan, AnOlderEventChangesNothing) {
  EXPECT_EQ(plan_reminder(job(kLater, ReminderState::pending, 5), task(kEarlier, 4), kNow).effect,
            Effect::keep);
  EXPECT_EQ(plan_reminder(job(kLater, ReminderState::pending, 5), task(kEarlier, 5), kNow).effect,
            Effect::keep);
}

TEST(ReminderEvent, HasTheContractFields) {
  auto v = boost::json::parse(reminder_event_payload("e-1", 42, "u_a", "Pay \"rent\"", std::nullopt,
                                                     1'796'115'600'000, kNow));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("event_id"), "e-1");
  EXPECT_EQ(o.at("task_id"), 42);
  EXPECT_EQ(o.at("user_id"), "u_a");
  EXPECT_EQ(o.at("title"), "Pay \"rent\"");
  EXPECT_TRUE(o.at("due_at").is_null());
  EXPECT_EQ(o.at("remind_at"), "2026-12-01T09:00:00Z");
  EXPECT_TRUE(o.at("timestamp").is_string());
  EXPECT_EQ(o.size(), 7u);
}

}  // namespace
}  // namespace todo::reminders
