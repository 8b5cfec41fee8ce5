#include "webhooks/webhook_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "webhooks/event_types.hpp"

namespace todo::webhooks {
namespace {

TEST(EventTypes, FromBusEvents) {
  bus::Event e;
  e.topic = "task-events";
  e.payload = R"({"event_id":"e1","event_type":"completed","user_id":"u"})";
  EXPECT_EQ(webhook_event_type(e), "task.completed");
  e.payload = R"({"event_id":"e1","event_type":"exploded","user_id":"u"})";
  EXPECT_FALSE(webhook_event_type(e));
  e.payload = "not json";
  EXPECT_FALSE(webhook_event_type(e));
  e.topic = "reminders";
  e.payload = R"({"event_id":"e2","task_id":1,"user_id":"u"})";
  EXPECT_EQ(webhook_event_type(e), "reminder.fired");
}

TEST(EventTypes, BodyIsTheEventWithItsType) {
  auto body = webhook_body("task.created", R"({"event_id":"e1","task_id":3})");
  auto v = boost::json::parse(body);
  EXPECT_EQ(v.at("type").as_string(), "task.created");
  EXPECT_EQ(v.at("event_id").as_string(), "e1");
  EXPECT_EQ(v.at("task_id").as_int64(), 3);
  EXPECT_EQ(boost::json::parse(webhook_body("webhook.test", "{}")).as_object().size(), 1u);
  EXPECT_TRUE(wants_type(R"(["task.created","reminder.fired"])", "reminder.fired"));
  EXPECT_FALSE(wants_type(R"(["task.created"])", "task.deleted"));
}

TEST(WebhookInput, CreateNeedsUrlAndKnownUniqueTypes) {
  auto ok = parse_webhook_input(
      boost::json::parse(R"({"url":"https://x.test/h","event_types":["task.created"]})"), true);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok->url, "https://x.test/h");
  auto fields = [](const char* json, bool create) {
    auto r = parse_webhook_input(boost::json::parse(json), create);
    std::string out;
    if (r) return out;
    for (const auto& e : r.error().errors) out += e.field + ";";
    return out;
  };
  EXPECT_EQ(fields("{}", true), "url;event_types;");
  EXPECT_EQ(fields(R"({"url":1,"event_types":[]})", true), "url;event_types;");
  EXPECT_EQ(fields(R"({"url":"u","event_types":["task.created","nope","task.created"]})", true),
            "event_types[1];event_types[2];");
  EXPECT_EQ(fields(R"({"url":"u","event_types":["*"]})", true), "event_types[0];");
  EXPECT_EQ(fields(R"({"url":"u","event_types":["task.created"],"secret":"x"})", true), "secret;");
  EXPECT_EQ(fields(R"({"enabled":"yes"})", false), "enabled;");
  EXPECT_EQ(fields("{}", false), "body;");
  EXPECT_EQ(fields("[]", false), "body;");
  EXPECT_EQ(fields(R"({"enabled":false})", false), "");
}

}  // namespace
}  // namespace todo::webhooks
