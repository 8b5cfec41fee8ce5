#include "events/task_event.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "core/random.hpp"
#include "core/time.hpp"
#include "events/task_event_reader.hpp"
#include "tasks/task_json.hpp"

namespace todo {
namespace {

Task sample() {
  Task t;
  t.id = 42;
  t.user_id = "u_abc";
  t.title = "Pay rent";
  t.completed = true;
  t.version = 3;
  t.created_at = t.updated_at = 1'767'225'600'000;
  return t;
}

TEST(TaskEvent, CarriesEverySeedFieldAndTheFullSnapshot) {
  Millis now = *parse_rfc3339("2026-01-30T10:00:00.250Z");
  auto row = make_task_event(EventType::completed, sample(), now);
  auto e = boost::json::parse(row.payload).as_object();
  EXPECT_EQ(e.at("event_id").as_string(), row.event_id);
  EXPECT_EQ(e.at("event_type").as_string(), "completed");
  EXPECT_EQ(e.at("timestamp").as_string(), "2026-01-30T10:00:00.250Z");
  EXPECT_EQ(e.at("user_id").as_string(), "u_abc");
  EXPECT_EQ(e.at("task_id").as_int64(), 42);
  EXPECT_EQ(e.at("schema_version").as_int64(), 1);
  EXPECT_EQ(e.at("task_version").as_int64(), 3);
  EXPECT_EQ(e.at("task_data"), boost::json::value(task_to_json(sample())));
  EXPECT_EQ(row.user_id, "u_abc");
  EXPECT_EQ(row.topic, "task-events");
  EXPECT_EQ(row.created_at, now);
}

TEST(TaskEvent, EventIdsAreDistinctTimeOrderedVersion7Uuids) {
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  Millis t = *parse_rfc3339("2026-01-30T10:00:00Z");
  for (int i = 0; i < 1000; ++i) {
    auto id = time_ordered_uuid(t);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  // The first 48 bits are the milliseconds: later ids sort after earlier ones.
  EXPECT_EQ(time_ordered_uuid(t).substr(0, 13), "019c0e58-6500");
  EXPECT_LT(time_ordered_uuid(t), time_ordered_uuid(t + 1));
  EXPECT_LT(time_ordered_uuid(t + 1), time_ordered_uuid(t + 86'400'000));
}

TEST(TaskEvent, CompletingIsCompletedAndUncompletingIsUpdated) {
  Task open = sample();
  open.completed = false;
  Task done = sample();
  EXPECT_EQ(change_event_type(open, done), EventType::completed);
  EXPECT_EQ(change_event_type(done, open), EventType::updated);
  EXPECT_EQ(change_event_type(open, open), EventType::updated);
  EXPECT_EQ(change_event_type(done, done), EventType::updated);
}

// What every consumer reads back: the event we write, and what it must refuse as poison.
TEST(TaskEventReader, ReadsBackWhatMakeTaskEventWrites) {
  Task task = sample();
  auto row = make_task_event(EventType::completed, task, *parse_rfc3339("2026-01-30T10:00:00Z"));
  auto value = boost::json::parse(row.payload);
  auto event = read_task_event(value);
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_EQ(event->event_id, row.event_id);
  EXPECT_EQ(event->type, EventType::completed);
  EXPECT_EQ(event->event_type, "completed");
  EXPECT_EQ(event->user_id, task.user_id);
  EXPECT_EQ(event->task_id, task.id);
  EXPECT_EQ(event->task_version, task.version);
  EXPECT_EQ(event->timestamp, parse_rfc3339("2026-01-30T10:00:00Z"));
  ASSERT_NE(event->task_data, nullptr);
  EXPECT_EQ(event->task_data->as_object().at("title").as_string(), task.title);
}

TEST(TaskEventReader, NamesTheFieldOfWhatItRefusesAndLetsUnknownTypesThrough) {
  auto field_of = [](std::string_view json) {
    const auto payload = boost::json::parse(json);
    auto event = read_task_event(payload);
    return event.ok() ? std::string("ok") : event.error().errors.at(0).field;
  };
  const std::string good_rest = R"("user_id":"u1","task_id":7,"task_data":{"title":"t"}})";
  EXPECT_EQ(field_of(R"([1,2])"), "event");
  EXPECT_EQ(field_of(R"({"event_type":"created",)" + good_rest), "event_id");
  EXPECT_EQ(field_of(R"({"event_id":"e\u0000","event_type":"created",)" + good_rest), "event_id");
  EXPECT_EQ(field_of(R"({"event_id":"e","event_type":7,)" + good_rest), "event_type");
  EXPECT_EQ(field_of(R"({"event_id":"e","event_type":"created","task_id":7,"task_data":{}})"),
            "user_id");
  EXPECT_EQ(field_of(R"({"event_id":"e","event_type":"created","user_id":"u","task_id":0,)"
                     R"("task_data":{}})"),
            "task_id");
  EXPECT_EQ(field_of(R"({"event_id":"e","event_type":"created","user_id":"u","task_id":1,)"
                     R"("task_version":"3","task_data":{}})"),
            "task_version");
  EXPECT_EQ(field_of(R"({"event_id":"e","event_type":"created","user_id":"u","task_id":1,)"
                     R"("task_data":null})"),
            "task_data");
  // A type this build does not know: read, with no EventType, for the consumer to decide.
  const auto archived = boost::json::parse(
      R"({"event_id":"e","event_type":"archived","user_id":"u","task_id":1,"task_data":{}})");
  auto newer = read_task_event(archived);  // views into `archived`
  ASSERT_TRUE(newer.ok());
  EXPECT_FALSE(newer->type.has_value());
  EXPECT_EQ(newer->event_type, "archived");
}

}  // namespace
}  // namespace todo
