// The Dapr wire format (bus/dapr/cloud_event.hpp, bulk_delivery.hpp) and the publisher's
// circuit breaker.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bus/dapr/bulk_delivery.hpp"
#include "bus/dapr/circuit_breaker.hpp"
#include "bus/dapr/cloud_event.hpp"

namespace todo::bus::dapr {
namespace {

namespace json = boost::json;

storage::OutboxRow event_row(std::string user = "u_1\"x") {
  std::string payload =
      R"({"event_id":"0190-e1","event_type":"completed","timestamp":"2026-11-27T10:00:00.123Z",)"
      R"("user_id":)" +
      json::serialize(json::value(user)) +
      R"(,"task_id":7,"task_data":{"title":"Pay rent","completed":true},"schema_version":1,)"
      R"("task_version":3})";
  return storage::OutboxRow{41, "0190-e1", user, "task-events", payload, 1};
}

TEST(CloudEvent, CarriesTheEventAsDataWithDaprsEnvelope) {
  auto row = event_row();
  auto ce = json::parse(cloud_event(row, "todo-api")).as_object();
  EXPECT_EQ(ce.at("specversion"), "1.0");
  EXPECT_EQ(ce.at("id"), "0190-e1");
  EXPECT_EQ(ce.at("type"), "todo.task.completed");
  EXPECT_EQ(ce.at("source"), "todo-api");
  EXPECT_EQ(ce.at("time"), "2026-11-27T10:00:00.123Z");
  EXPECT_EQ(ce.at("datacontenttype"), "application/json");
  EXPECT_EQ(ce.at("partitionkey"), "u_1\"x");
  EXPECT_EQ(ce.at("data"), json::parse(row.payload)) << "the event must travel unchanged";
}

TEST(CloudEvent, RefusesARowThatHoldsNoEvent) {
  auto row = event_row();
  row.payload = R"({"event_id":"x"})";
  EXPECT_THROW(cloud_event(row, "todo-api"), std::invalid_argument);
}

TEST(CloudEvent, BulkBodyHasOneEntryPerEventInOrder) {
  auto a = event_row("u_a"), b = event_row("u_b");
  b.event_id = "0190-e2";
  auto body = json::parse(bulk_publish_body({a, b}, "todo-api"));
  ASSERT_TRUE(body.is_array()) << "Dapr takes the entries as a bare array";
  const auto& entries = body.as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("entryId"), "0190-e1");
  EXPECT_EQ(entries[1].at("entryId"), "0190-e2");
  EXPECT_EQ(entries[0].at("contentType"), "application/cloudevents+json");
  EXPECT_EQ(entries[0].at("metadata").at("partitionKey"), "u_a");
  EXPECT_EQ(entries[1].at("metadata").at("partitionKey"), "u_b");
  EXPECT_EQ(entries[1].at("event").at("id"), "0190-e2");
  EXPECT_EQ(entries[1].at("event").at("data").at("task_id"), 7);
}

TEST(CloudEvent, PartitionKeyIsUrlEncoded) {
  EXPECT_EQ(publish_query("u_abc-1.2~"), "metadata.partitionKey=u_abc-1.2~");
  EXPECT_EQ(publish_query("a b&c=d/é"), "metadata.partitionKey=a%20b%26c%3Dd%2F%C3%A9");
}

TEST(Delivery, TakesTheEventFromAStructuredCloudEvent) {
  auto row = event_row();
  auto event = event_from_delivery(cloud_event(row, "todo-api"));
  ASSERT_TRUE(event) << event.error().detail;
  EXPECT_EQ(json::parse(*event), json::parse(row.payload));
}

TEST(Delivery, AcceptsARawEventAndDataAsAJsonString) {
  auto row = event_row();
  auto raw = event_from_delivery(row.payload);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, row.payload);
  json::object ce{{"specversion", "1.0"}, {"id", "x"}, {"data", row.payload}};
  auto inner = event_from_delivery(json::serialize(ce));
  ASSERT_TRUE(inner);
  EXPECT_EQ(json::parse(*inner), json::parse(row.payload));
}

TEST(Delivery, NamesWhatIsWrongWithAPoisonDelivery) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (auto c : {Case{"not json", "body"}, Case{"[1,2]", "body"},
                 Case{R"({"specversion":"1.0","id":"x"})", "data"},
                 Case{R"({"specversion":"1.0","data":42})", "data"},
                 Case{R"({"specversion":"1.0","data":"not an object"})", "data"},
                 Case{R"({"specversion":"1.0","data_base64":"AAAA"})", "data_base64"}}) {
    auto r = event_from_delivery(c.body);
    ASSERT_FALSE(r) << c.body;
    ASSERT_EQ(r.error().errors.size(), 1u) << c.body;
    EXPECT_EQ(r.error().errors[0].field, c.field) << c.body;
  }
}

// What Dapr's sidecar POSTs with bulk subscribe (BulkSubscribeEnvelope).
std::string bulk_envelope(const json::array& entries) {
  return json::serialize(json::object{{"id", "b-1"},
                                      {"topic", "task-events"},
                                      {"pubsubname", "kafka-pubsub"},
                                      {"type", "com.dapr.event.sent.bulk"},
                                      {"metadata", json::object{}},
                                      {"entries", entries}});
}

json::object bulk_entry(std::string id, json::value event) {
  return {{"entryId", std::move(id)},
          {"event", std::move(event)},
          {"contentType", "application/cloudevents+json"},
          {"metadata", json::object{}}};
}

TEST(BulkDelivery, TakesEachEntrysEventInOrderAndNamesPoisonOnes) {
  auto row = event_row();
  json::array entries;
  entries.push_back(bulk_entry("e-1", json::parse(cloud_event(row, "todo-api"))));
  entries.push_back(bulk_entry("e-2", json::object{{"specversion", "1.0"}, {"data", 42}}));
  // rawPayload subscriptions carry the published bytes base64-encoded
  entries.push_back(bulk_entry("e-3", "eyJhIjoxfQ=="));  // {"a":1}
  entries.push_back(bulk_entry("e-4", "%%% not base64"));
  entries.push_back(json::object{{"event", json::parse(row.payload)}});  // no entryId
  auto parsed = bulk_delivery_entries(bulk_envelope(entries));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 4u);  // the entry without an id cannot be answered
  EXPECT_EQ((*parsed)[0].entry_id, "e-1");
  ASSERT_TRUE((*parsed)[0].event);
  EXPECT_EQ(json::parse(*(*parsed)[0].event), json::parse(row.payload));
  ASSERT_FALSE((*parsed)[1].event);
  EXPECT_EQ((*parsed)[1].event.error().errors.at(0).field, "data");
  ASSERT_TRUE((*parsed)[2].event);
  EXPECT_EQ(json::parse(*(*parsed)[2].event), json::parse(R"({"a":1})"));
  ASSERT_FALSE((*parsed)[3].event);
  EXPECT_EQ((*parsed)[3].event.error().errors.at(0).field, "event");
}

TEST(BulkDelivery, ASingleDeliveryIsNotABulk) {
  auto row = event_row();
  EXPECT_FALSE(bulk_delivery_entries(cloud_event(row, "todo-api")));
  EXPECT_FALSE(bulk_delivery_entries(row.payload));
  EXPECT_FALSE(bulk_delivery_entries("not json"));
  EXPECT_FALSE(bulk_delivery_entries(R"({"entries":"no"})"));
  // a CloudEvent whose own data happens to hold "entries" is still one event
  EXPECT_FALSE(bulk_delivery_entries(R"({"specversion":"1.0","entries":[]})"));
  auto empty = bulk_delivery_entries(bulk_envelope({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(BulkDelivery, StatusesNameEveryEntry) {
  std::string a = "e-1", b = "e\"2";
  auto body = json::parse(bulk_statuses_body({{a, "SUCCESS"}, {b, "DROP"}}));
  EXPECT_EQ(body, json::parse(R"({"statuses":[{"entryId":"e-1","status":"SUCCESS"},)"
                              R"({"entryId":"e\"2","status":"DROP"}]})"));
}

TEST(CircuitBreaker, AHealthProbeEndsTheCoolDownEarly) {
  using namespace std::chrono_literals;
  CircuitBreaker breaker(1, 4000ms, 4000ms);
  auto t = CircuitBreaker::Clock::time_point{} + 1h;
  breaker.probe_succeeded();  // closed: nothing to end
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed);
  breaker.record_failure(t);
  ASSERT_FALSE(breaker.allow(t + 100ms));
  breaker.probe_succeeded();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::half_open);
  EXPECT_TRUE(breaker.allow(t + 100ms)) << "one call right away";
  breaker.record_failure(t + 100ms);  // the call fails after all: open again
  EXPECT_FALSE(breaker.allow(t + 200ms));
}

TEST(CircuitBreaker, OpensAfterRepeatedFailuresAndProbesAfterTheCoolDown) {
  using namespace std::chrono_literals;
  CircuitBreaker breaker(3, 1000ms, 4000ms);
  auto t = CircuitBreaker::Clock::time_point{} + 1h;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.allow(t));
    breaker.record_failure(t);
  }
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed) << "2 failures < threshold 3";
  breaker.record_failure(t);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::open);
  EXPECT_FALSE(breaker.allow(t + 999ms));
  EXPECT_TRUE(breaker.allow(t + 1000ms)) << "one probe after the cool-down";
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::half_open);
  // The probe fails: open again, for twice as long.
  breaker.record_failure(t + 1000ms);
  EXPECT_FALSE(breaker.allow(t + 2999ms));
  EXPECT_TRUE(breaker.allow(t + 3000ms));
  breaker.record_failure(t + 3000ms);  // 4 s now (capped at 4 s)
  EXPECT_FALSE(breaker.allow(t + 6999ms));
  EXPECT_TRUE(breaker.allow(t + 7000ms));
  breaker.record_failure(t + 7000ms);  // still 4 s: the cap
  EXPECT_TRUE(breaker.allow(t + 11000ms));
  // A success closes it and resets both the count and the cool-down.
  breaker.record_success();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::closed);
  breaker.record_failure(t + 12s);
  breaker.record_failure(t + 12s);
  EXPECT_TRUE(breaker.allow(t + 12s));
  breaker.record_failure(t + 12s);
  EXPECT_FALSE(breaker.allow(t + 12s + 999ms));
  EXPECT_TRUE(breaker.allow(t + 13s));
}

}  // namespace
}  // namespace todo::bus::dapr
