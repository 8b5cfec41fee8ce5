// EventFacts (core/event_facts.hpp): what make_task_event states beside the payload equals the
// payload, for every kind of task event; and each consumer whose wants() reads the facts
// (reminders, recurrence, the completion e-mails) decides every such event the same from
// the facts as from the payload (as it must for an event read back or delivered by Dapr,
// which has no facts) — wanting exactly the events it is for.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "bus/event.hpp"
#include "bus/outbox_writer.hpp"
#include "email/email_consumers.hpp"
#include "events/task_event.hpp"
#include "ops/metrics.hpp"
#include "recurrence/recurrence_consumer.hpp"
#include "reminders/reminder_consumer.hpp"
#include "tasks/task_writes.hpp"

namespace todo {
namespace {

// Every event type, with and without remind_at and recurrence, from each kind of source: 64.
std::vector<storage::OutboxRow> every_kind_of_task_event() {
  std::vector<storage::OutboxRow> rows;
  const Millis now = 1'780'000'000'000;
  for (EventType type :
       {EventType::created, EventType::updated, EventType::completed, EventType::deleted})
    for (bool remind : {false, true})
      for (bool rule : {false, true})
        for (const char* source : {"", "web", "api", "mcp"}) {
          Task t;
          t.id = 7;
          t.user_id = "u_facts";
          t.title = "Water the plants";
          t.completed = type == EventType::completed;
          t.due_at = now + 3'600'000;
          if (remind) t.remind_at = now + 1'800'000;
          if (rule) t.recurrence = "FREQ=WEEKLY;BYDAY=MO";
          t.created_at = t.updated_at = now;
          t.version = 2;
          rows.push_back(make_task_event(type, t, now, source));
        }
  return rows;
}

// The event as the outbox writer hands it to wants() (facts known), and as read back.
bus::Event with_facts(const storage::OutboxRow& row) {
  return {row.event_id, row.user_id, row.topic, row.payload, row.created_at, {}, row.facts};
}
bus::Event read_back(const storage::OutboxRow& row) {
  return {row.event_id, row.user_id, row.topic, row.payload, row.created_at};
}

// How many events of the matrix `consumer` wants; fails where facts and payload disagree.
int wanted(const bus::Consumer& consumer) {
  int n = 0;
  for (const auto& row : every_kind_of_task_event()) {
    const bool from_facts = consumer.wants(with_facts(row));
    EXPECT_EQ(from_facts, consumer.wants(read_back(row))) << consumer.name() << ": " << row.payload;
    n += from_facts ? 1 : 0;
  }
  return n;
}

TEST(EventFacts, TaskEventsStateWhatTheirPayloadSays) {
  const auto rows = every_kind_of_task_event();
  ASSERT_EQ(rows.size(), 64u);
  for (const auto& row : rows) {
    ASSERT_TRUE(row.facts.known);
    const auto e = boost::json::parse(row.payload).as_object();
    const auto& data = e.at("task_data").as_object();
    EXPECT_EQ(row.facts.event_type, e.at("event_type").as_string()) << row.payload;
    EXPECT_EQ(row.facts.has_remind_at, !data.at("remind_at").is_null()) << row.payload;
    EXPECT_EQ(row.facts.has_recurrence, !data.at("recurrence").is_null()) << row.payload;
    const auto* source = e.if_contains("source");
    EXPECT_EQ(row.facts.source, source ? std::string(source->as_string()) : "") << row.payload;
  }
}

TEST(EventFacts, ConsumersDecideTheSameFromTheFactsAsFromThePayload) {
  ops::Metrics metrics;
  // Reminders: every update (remind_at may have changed or been cleared), and the other
  // events of tasks with a reminder time: 16 + 3 types x 8.
  EXPECT_EQ(wanted(reminders::ReminderConsumer(metrics, [] {})), 16 + 24);
  // Recurrence: completions of tasks with a rule, from any source: 2 x 4.
  bus::OutboxWriter outbox;
  TaskWrites task_writes;
  EXPECT_EQ(wanted(recurrence::RecurrenceConsumer(outbox, task_writes, metrics)), 8);
  // Completion e-mails: completions made elsewhere than the user's browser ("api", "mcp"):
  // 2 x 2 x 2.
  email::EnqueueContext context;
  EXPECT_EQ(wanted(email::CompletionNotices(context)), 8);
}

TEST(EventFacts, AnEventWithoutFactsIsReadFromItsPayload) {
  // A Dapr delivery or a row read back: no facts, so wants() parses (and caches) the JSON.
  auto row =
      every_kind_of_task_event()[2 * 16 + 1 * 8 + 1 * 4 + 2];  // completed, remind, rule, api
  bus::Event event = read_back(row);
  ASSERT_FALSE(event.facts.known);
  ops::Metrics metrics;
  bus::OutboxWriter outbox;
  TaskWrites task_writes;
  EXPECT_TRUE(recurrence::RecurrenceConsumer(outbox, task_writes, metrics).wants(event));
  EXPECT_NE(event.parsed, nullptr);
}

TEST(EventFacts, TheOutboxWriterHandsTheFactsToWants) {
  // The row as the task service writes it: each target's wants() sees the facts, and the
  // address follows its answers.
  bus::OutboxWriter writer;
  int calls = 0, known = 0;
  writer.add_target(1u, "task-events", [&](const bus::Event& e) {
    ++calls;
    known += e.facts.known ? 1 : 0;
    return e.facts.has_recurrence;
  });
  writer.add_target(2u, "task-events");  // every event, no wants()
  for (const auto& row : every_kind_of_task_event()) {
    const auto address = writer.address_for(row);
    EXPECT_EQ(address.bits, row.facts.has_recurrence ? 3u : 2u) << row.payload;
  }
  EXPECT_EQ(calls, 64);
  EXPECT_EQ(known, 64);
}

}  // namespace
}  // namespace todo
