#include "tasks/task_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tasks/task_json.hpp"

namespace todo {
namespace {

Task sample() {
  Task t;
  t.id = 42;
  t.user_id = "u_abc";
  t.title = "Pay \"rent\" \\ now\n\ttab \x01 ünïcødé 🎉";
  t.description = "";
  t.completed = true;
  t.priority = Priority::high;
  t.tags = {"home", "a\"b"};
  t.due_at = 1'796'115'600'000;  // 2026-12-01T09:00:00Z
  t.remind_at = std::nullopt;
  t.recurrence = "FREQ=MONTHLY;BYMONTHDAY=1";
  t.timezone = "Europe/Berlin";
  t.created_at = 1'796'115'600'123;
  t.updated_at = 1'796'115'600'999;
  t.completed_at = 0;
  t.version = 7;
  t.series_id = 40;
  return t;
}

TEST(TaskWriter, ProducesTheSameDocumentAsTaskToJson) {
  Task t = sample();
  auto fast = boost::json::parse(task_json_text(t));
  EXPECT_EQ(fast, boost::json::value(task_to_json(t)));
}

TEST(TaskWriter, NullsAndEmptyTags) {
  Task t = sample();
  t.tags.clear();
  t.recurrence.reset();
  t.completed_at.reset();
  t.due_at.reset();
  t.series_id.reset();
  auto fast = boost::json::parse(task_json_text(t));
  EXPECT_EQ(fast, boost::json::value(task_to_json(t)));
  EXPECT_TRUE(fast.at("due_at").is_null());
  EXPECT_TRUE(fast.at("series_id").is_null());
  EXPECT_TRUE(fast.at("tags").as_array().empty());
}

TEST(TaskWriter, EscapesControlCharacters) {
  std::string out;
  append_json_string(out, std::string("a\x01"
                                      "b\x1f\"\\",
                                      6));
  EXPECT_EQ(out, "\"a\\u0001b\\u001f\\\"\\\\\"");
}

}  // namespace
}  // namespace todo
