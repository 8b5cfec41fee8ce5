// The Dapr Jobs API calls of the distributed shape (reminders/dapr_jobs.hpp).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "reminders/dapr_jobs.hpp"

namespace todo::reminders {
namespace {

TEST(DaprJobs, NameAndBodyFollowTheContract) {
  EXPECT_EQ(dapr_job_name(42), "reminder-42");
  storage::ReminderJob job{
      42, "u_\"a", 1'796'115'600'000, 1'796'115'900'000, storage::ReminderState::pending, 3};
  auto v = boost::json::parse(dapr_job_body(job)).as_object();
  EXPECT_EQ(v.at("dueTime"), "2026-12-01T09:05:00Z") << "fire_at (a snooze moves it)";
  EXPECT_EQ(v.at("overwrite"), true);
  const auto& data = v.at("data").as_object();
  EXPECT_EQ(data.at("task_id"), 42);
  EXPECT_EQ(data.at("user_id"), "u_\"a");
  EXPECT_EQ(data.at("remind_at"), "2026-12-01T09:00:00Z");
  EXPECT_EQ(data.at("fire_at"), "2026-12-01T09:05:00Z");
  EXPECT_EQ(v.at("failurePolicy").at("constant").at("interval"), "5s")
      << "a trigger is retried until this role answers (Dapr's default drops it after 3)";
  EXPECT_EQ(v.size(), 4u);
}

}  // namespace
}  // namespace todo::reminders
