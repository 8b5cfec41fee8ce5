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

TEST(CloudEvent, AFiredReminderIsTypedAsOne) {
  const std::string payload =
      R"({"event_id":"0190-r1","task_id":7,"user_id":"u_1","title":"Call","due_at":null,)"
      R"("remind_at":"2026-11-27T09:00:00Z","timestamp":"2026-11-27T09:00:00.004Z"})";
  storage::OutboxRow row{42, "0190-r1", "u_1", "reminders", payload, 1};
  auto ce = json::parse(cloud_event(row, "todo-notification")).as_object();
  EXPECT_EQ(ce.at("type"), "todo.reminder.fired");
  EXPECT_EQ(ce.at("time"), "2026-11-27T09:00:00.004Z");
  EXPECT_EQ(ce.at("data"), json::parse(payload));
  row.topic = "task-events";  // not a task event: refused
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
  auto event = event_from_delivery(cloud_event(row, "todo-api"), "application/cloudevents+json");
  ASSERT_TRUE(event) << event.error().detail;
  EXPECT_EQ(json::parse(*event), json::parse(row.payload));
}

std::string base64(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned n = (unsigned char)bytes[i] << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// A structured CloudEvent with the required attributes, plus `extra`.
std::string ce(json::object extra) {
  json::object o{
      {"specversion", "1.0"}, {"id", "e-1"}, {"source", "todo-api"}, {"type", "todo.task.created"}};
  for (auto& [k, v] : extra) o[k] = v;
  return json::serialize(o);
}

TEST(Delivery, AcceptsEveryFormTheSpecAndDaprProduce) {
  const std::string event = event_row().payload;
  const json::value as_object = json::parse(event);
  struct Form {
    const char* name;
    std::string body;
    const char* content_type;
  };
  const std::vector<Form> forms = {
      {"data as an object", ce({{"data", as_object}}), "application/cloudevents+json"},
      {"data as a JSON string holding the event", ce({{"data", event}}),
       "application/cloudevents+json"},
      {"data_base64 (RFC 4648, padded)", ce({{"data_base64", base64(event)}}),
       "application/cloudevents+json"},
      {"data_base64 whose length needs one '='", ce({{"data_base64", base64(event + " ")}}),
       "application/cloudevents+json"},
      {"data_base64 whose length needs two '='", ce({{"data_base64", base64(event + "  ")}}),
       "application/cloudevents+json"},
      {"datacontenttype with parameters",
       ce({{"datacontenttype", "application/json; charset=utf-8"}, {"data", as_object}}),
       "application/cloudevents+json"},
      {"datacontenttype in another case",
       ce({{"datacontenttype", "Application/JSON"}, {"data", as_object}}),
       "application/cloudevents+json"},
      {"a +json datacontenttype",
       ce({{"datacontenttype", "application/vnd.todo.event+json"}, {"data", as_object}}),
       "application/cloudevents+json"},
      {"a +json datacontenttype with data_base64",
       ce({{"datacontenttype", "application/vnd.todo.event+json; charset=utf-8"},
           {"data_base64", base64(event)}}),
       "application/cloudevents+json"},
      {"text/plain data holding JSON (published without a content type)",
       ce({{"datacontenttype", "text/plain"}, {"data", event}}), "application/cloudevents+json"},
      {"no datacontenttype (JSON implied)", ce({{"data", as_object}}),
       "application/cloudevents+json"},
      {"extension attributes",
       ce({{"partitionkey", "u_1"},
           {"traceparent", "00-ab"},
           {"topic", "task-events"},
           {"data", as_object}}),
       "application/cloudevents+json"},
      {"Content-Type with parameters", ce({{"data", as_object}}),
       "application/cloudevents+json; charset=utf-8"},
      {"a CloudEvent sent as application/json", ce({{"data", as_object}}), "application/json"},
      {"a CloudEvent without a Content-Type", ce({{"data", as_object}}), ""},
      {"a CloudEvent with data_base64 as application/json", ce({{"data_base64", base64(event)}}),
       "application/json"},
      {"the raw event as application/json", event, "application/json"},
      {"the raw event without a Content-Type", event, ""},
      {"the raw event as text/plain", event, "text/plain"},
  };
  for (const Form& f : forms) {
    auto r = event_from_delivery(f.body, f.content_type);
    ASSERT_TRUE(r) << f.name << ": " << r.error().detail;
    EXPECT_EQ(json::parse(*r), as_object) << f.name;
  }
  // The raw form keeps the bytes as sent.
  EXPECT_EQ(*event_from_delivery(event, "application/json"), event);
}

TEST(Delivery, RefusesWhatIsNotAnEventAndSaysWhy) {
  const std::string event = event_row().payload;
  const json::value as_object = json::parse(event);
  struct Case {
    const char* name;
    std::string body;
    const char* content_type;
    const char* field;
    const char* words;
  };
  const char* kCe = "application/cloudevents+json";
  const std::vector<Case> cases = {
      {"not JSON", "not json", kCe, "body", "not JSON"},
      {"not JSON, raw", "{\"event_id\": oops", "application/json", "body", "not JSON"},
      {"an array", "[1,2]", "", "body", "not a JSON object"},
      {"a CloudEvent content type without specversion", event, kCe, "specversion", "required"},
      {"specversion 0.3", ce({{"specversion", "0.3"}, {"data", as_object}}), kCe, "specversion",
       "1.0"},
      {"specversion a number", ce({{"specversion", 1.0}, {"data", as_object}}), kCe, "specversion",
       "1.0"},
      {"no id", R"({"specversion":"1.0","source":"s","type":"t","data":{}})", kCe, "id",
       "required"},
      {"no source", R"({"specversion":"1.0","id":"i","type":"t","data":{}})", "", "source",
       "required"},
      {"no type", R"({"specversion":"1.0","id":"i","source":"s","data":{}})", "application/json",
       "type", "required"},
      {"empty id", ce({{"id", ""}, {"data", as_object}}), kCe, "id", "non-empty"},
      {"type a number", ce({{"type", 7}, {"data", as_object}}), kCe, "type", "non-empty string"},
      {"datacontenttype a number", ce({{"datacontenttype", 1}, {"data", as_object}}), kCe,
       "datacontenttype", "string"},
      {"both data and data_base64", ce({{"data", as_object}, {"data_base64", base64(event)}}), kCe,
       "data", "both"},
      {"no data", ce({}), kCe, "data", "missing"},
      {"data null", ce({{"data", nullptr}}), kCe, "data", "missing"},
      {"data a number", ce({{"data", 42}}), kCe, "data", "not a JSON object"},
      {"data an array", ce({{"data", json::array{as_object}}}), kCe, "data", "not a JSON object"},
      {"data a string without JSON",
       ce({{"datacontenttype", "text/plain"}, {"data", "not an object"}}), kCe, "data",
       "text/plain"},
      {"data_base64 not base64", ce({{"data_base64", "%%%"}}), kCe, "data_base64", "base64"},
      {"data_base64 without its padding", ce({{"data_base64", base64(event + " ").substr(0, 10)}}),
       kCe, "data_base64", "base64"},
      {"data_base64 in the URL-safe alphabet", ce({{"data_base64", "-_-_"}}), kCe, "data_base64",
       "base64"},
      {"data_base64 a number", ce({{"data_base64", 5}}), kCe, "data_base64", "base64 string"},
      {"data_base64 of binary bytes",
       ce({{"datacontenttype", "application/octet-stream"}, {"data_base64", "AAAA"}}), kCe,
       "data_base64", "application/octet-stream"},
  };
  for (const Case& c : cases) {
    auto r = event_from_delivery(c.body, c.content_type);
    ASSERT_FALSE(r) << c.name;
    ASSERT_EQ(r.error().errors.size(), 1u) << c.name;
    EXPECT_EQ(r.error().errors[0].field, c.field) << c.name << ": " << r.error().detail;
    EXPECT_NE(r.error().detail.find(c.words), std::string::npos)
        << c.name << ": '" << r.error().detail << "' does not say '" << c.words << "'";
  }
}

TEST(Delivery, MediaTypes) {
  EXPECT_EQ(media_type(" Application/JSON ; charset=utf-8"), "application/json");
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("application/cloudevents+json; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("text/json"));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("+json"));
  EXPECT_FALSE(is_json_media_type("application/jsonx"));
  EXPECT_FALSE(is_json_media_type(""));
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
  entries.push_back(bulk_entry("e-2", json::parse(ce({{"data", 42}}))));
  // rawPayload subscriptions carry the published bytes base64-encoded
  json::object raw = bulk_entry("e-3", "eyJhIjoxfQ==");  // {"a":1}
  raw["contentType"] = "application/json";
  entries.push_back(raw);
  entries.push_back(bulk_entry("e-4", "%%% not base64"));
  entries.push_back(json::object{{"event", json::parse(row.payload)}});  // no entryId
  // the same event as data_base64, and base64 of a whole CloudEvent
  entries.push_back(bulk_entry("e-5", json::parse(ce({{"data_base64", base64(row.payload)}}))));
  entries.push_back(bulk_entry("e-6", json::string(base64(cloud_event(row, "todo-api")))));
  // an entry whose contentType says CloudEvent but whose event lacks the attributes
  entries.push_back(bulk_entry("e-7", json::parse(row.payload)));
  auto parsed = bulk_delivery_entries(bulk_envelope(entries));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 7u);  // the entry without an id cannot be answered
  EXPECT_EQ((*parsed)[0].entry_id, "e-1");
  ASSERT_TRUE((*parsed)[0].event);
  EXPECT_EQ(json::parse(*(*parsed)[0].event), json::parse(row.payload));
  ASSERT_FALSE((*parsed)[1].event);
  EXPECT_EQ((*parsed)[1].event.error().errors.at(0).field, "data");
  ASSERT_TRUE((*parsed)[2].event);
  EXPECT_EQ(json::parse(*(*parsed)[2].event), json::parse(R"({"a":1})"));
  ASSERT_FALSE((*parsed)[3].event);
  EXPECT_EQ((*parsed)[3].event.error().errors.at(0).field, "event");
  for (std::size_t i : {4u, 5u}) {
    ASSERT_TRUE((*parsed)[i].event)
        << (*parsed)[i].entry_id << ": " << (*parsed)[i].event.error().detail;
    EXPECT_EQ(json::parse(*(*parsed)[i].event), json::parse(row.payload));
  }
  ASSERT_FALSE((*parsed)[6].event);
  EXPECT_EQ((*parsed)[6].event.error().errors.at(0).field, "specversion");
}

TEST(BulkDelivery, TheSameBytesAreTakenAloneAndInABulk) {
  // What was poison as a single delivery but stored in a bulk: data_base64.
  auto row = event_row();
  const std::string single = ce({{"data_base64", base64(row.payload)}});
  auto alone = event_from_delivery(single, "application/cloudevents+json");
  ASSERT_TRUE(alone) << alone.error().detail;
  auto bulk = bulk_delivery_entries(bulk_envelope({bulk_entry("e-1", json::parse(single))}));
  ASSERT_TRUE(bulk);
  ASSERT_TRUE(bulk->at(0).event);
  EXPECT_EQ(*bulk->at(0).event, *alone);
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

// Found by fuzzing (fuzz/dapr_delivery.cpp): libsodium 1.0.18 took every byte over 0x7F for
// the digit '/', so "QUF\xff" decoded like "QUF/" and "\xff\xff\xff\xff" to three bytes.
// (Inside a JSON delivery such bytes come only in UTF-8 pairs, which cannot stand for base64
// of a JSON text; the decoder is public, so it is pinned down here.)
TEST(CloudEvent, Base64RefusesBytesOutsideTheAlphabet) {
  ASSERT_EQ(decode_base64("QUF/"), std::string("AA\x7f"));
  EXPECT_FALSE(decode_base64("QUF\xff"));
  EXPECT_FALSE(decode_base64("QUF\x80"));
  EXPECT_FALSE(decode_base64("\xff\xff\xff\xff"));
}

}  // namespace
}  // namespace todo::bus::dapr
