// The chat's pure parts: the request body's rules (chat/chat_json.hpp) and the OpenAI Chat
// Completions wire format (chat/openai_wire.hpp): tools from the registry, the history with
// earlier tool calls summarised, and what counts as a Chat Completions answer.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "chat/chat_json.hpp"
#include "chat/openai_wire.hpp"
#include "tasks/recurrence.hpp"
#include "tools/registry.hpp"

namespace todo::chat {
namespace {

namespace json = boost::json;

Result<ChatInput> input(std::string_view body, int max = 10) {
  return parse_chat_input(json::parse(body), max, &is_known_timezone);
}

std::string field_of(const Result<ChatInput>& r) {
  return r ? "" : r.error().errors.at(0).field;
}

TEST(ChatInput, AcceptsTheContractAndNamesEachBadField) {
  auto ok = input(R"({"message":"hi there","conversation_id":7,"timezone":"Europe/Paris"})", 10);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->message, "hi there");
  EXPECT_EQ(*ok->conversation_id, 7);
  EXPECT_EQ(ok->timezone, "Europe/Paris");
  auto minimal = input(R"({"message":"x","conversation_id":null})");
  ASSERT_TRUE(minimal);
  EXPECT_FALSE(minimal->conversation_id);
  EXPECT_EQ(minimal->timezone, "UTC");
  EXPECT_TRUE(input(R"({"message":"éééééééééé"})", 10)) << "characters, not bytes";

  EXPECT_EQ(field_of(input(R"({"message":"elevenchars"})", 10)), "message");
  EXPECT_EQ(field_of(input(R"({"message":" \n\t\u00a0\u3000"})")), "message");
  EXPECT_EQ(field_of(input(R"({"message":""})")), "message");
  EXPECT_EQ(field_of(input(R"({})")), "message");
  EXPECT_EQ(field_of(input(R"({"message":["hi"]})")), "message");
  EXPECT_EQ(field_of(input(R"({"message":"x","conversation_id":0})")), "conversation_id");
  EXPECT_EQ(field_of(input(R"({"message":"x","conversation_id":-3})")), "conversation_id");
  EXPECT_EQ(field_of(input(R"({"message":"x","conversation_id":"7"})")), "conversation_id");
  EXPECT_EQ(field_of(input(R"({"message":"x","conversation_id":2.5})")), "conversation_id");
  EXPECT_EQ(field_of(input(R"({"message":"x","timezone":"Nowhere/City"})")), "timezone");
  EXPECT_EQ(field_of(input(R"({"message":"x","timezone":5})")), "timezone");
  EXPECT_EQ(field_of(input(R"({"message":"x","user_id":"u_1"})")), "user_id");
  EXPECT_EQ(field_of(input(R"("just text")")), "body");
  auto bad = input(R"({"message":"","conversation_id":0})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::validation);
  EXPECT_EQ(bad.error().errors.size(), 2u);
}

TEST(ChatTitle, FoldsWhiteSpaceAndCutsAtEightyCharacters) {
  EXPECT_EQ(title_from_message("  Pay\n\trent   tomorrow "), "Pay rent tomorrow");
  std::string long_text(100, 'a');
  EXPECT_EQ(title_from_message(long_text), std::string(80, 'a') + "…");
  EXPECT_EQ(title_from_message(std::string(80, 'b')), std::string(80, 'b'));
  std::string accents;
  for (int i = 0; i < 90; ++i) accents += "é";
  std::string expected;
  for (int i = 0; i < 80; ++i) expected += "é";
  EXPECT_EQ(title_from_message(accents), expected + "…");
}

TEST(ChatToolCalls, RoundTripThroughTheirStoredText) {
  std::vector<ToolCallRecord> calls{
      {"add_task", json::object{{"title", "x"}}, json::object{{"task_id", 3}}, false},
      {"delete_task", json::object{{"task_id", 9}}, json::object{{"error", "gone"}}, true}};
  std::string text = json::serialize(tool_calls_json(calls));
  auto back = tool_calls_from_text(text);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].name, "add_task");
  EXPECT_EQ(back[0].result.at("task_id").as_int64(), 3);
  EXPECT_TRUE(back[1].is_error);
  EXPECT_TRUE(tool_calls_from_text("not json").empty());
}

TEST(ChatWire, ToolsAreTheRegistrysAsFunctions) {
  auto tools = wire::tool_definitions();
  ASSERT_EQ(tools.size(), tools::registry().size());
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const auto& t = tools[i].as_object();
    EXPECT_EQ(t.at("type").as_string(), "function");
    const auto& fn = t.at("function").as_object();
    EXPECT_EQ(fn.at("name").as_string(), tools::registry()[i].name);
    EXPECT_EQ(fn.at("parameters"), tools::registry()[i].input_schema);
  }
}

TEST(ChatWire, SystemMessageSaysTodayInTheUsersZone) {
  // 2026-01-30T23:30:00Z is already Saturday the 31st in Tokyo.
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'769'815'800'000));
  auto text = std::string(wire::system_message(now, "Asia/Tokyo").at("content").as_string());
  EXPECT_NE(text.find("Saturday 2026-01-31, 08:30 (UTC+09:00)"), std::string::npos) << text;
  EXPECT_NE(text.find("Asia/Tokyo"), std::string::npos);
  auto utc = std::string(wire::system_message(now, "UTC").at("content").as_string());
  EXPECT_NE(utc.find("Friday 2026-01-30, 23:30 (UTC+00:00)"), std::string::npos) << utc;
}

TEST(ChatWire, HistoryKeepsTheTurnsAndSummarisesEarlierToolCalls) {
  std::vector<ChatMessage> history{
      {"user", "add milk", {}},
      {"assistant",
       "Added.",
       {{"add_task", json::object{{"title", "milk"}}, json::object{{"task_id", 12}}, false},
        {"delete_task", json::object{{"task_id", 1}},
         json::object{{"error", "task 1 does not exist"}}, true}}},
      {"user", "thanks", {}}};
  auto messages = wire::history_messages(history);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], (json::object{{"role", "user"}, {"content", "add milk"}}));
  EXPECT_EQ(messages[1].at("role").as_string(), "assistant");
  EXPECT_EQ(messages[1].at("content").as_string(),
            "Added.\n\n[tools used: add_task {\"title\":\"milk\"} -> ok (task_id 12); delete_task "
            "{\"task_id\":1} -> error: task 1 does not exist]");
  EXPECT_EQ(messages[2].at("content").as_string(), "thanks");
}

TEST(ChatWire, ParsesAnswersAndRefusesWhatIsNotOne) {
  auto text = wire::parse_completion(
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Done."},"finish_reason":"stop"}]})");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text->content, "Done.");
  EXPECT_TRUE(text->tool_calls.empty());

  auto calls = wire::parse_completion(R"({"choices":[{"message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"call_1","type":"function","function":{"name":"add_task","arguments":"{\"title\":\"x\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"list_tasks","arguments":{"status":"all"}}}]}}]})");
  ASSERT_TRUE(calls);
  EXPECT_FALSE(calls->content);
  ASSERT_EQ(calls->tool_calls.size(), 2u);
  EXPECT_EQ(calls->tool_calls[0].id, "call_1");
  EXPECT_EQ(calls->tool_calls[0].arguments, R"({"title":"x"})");
  EXPECT_EQ(calls->tool_calls[1].arguments, R"({"status":"all"})")
      << "an object (Ollama) is serialised";
  EXPECT_EQ(calls->message.at("tool_calls").as_array().size(), 2u);

  for (const char* garbage :
       {"", "not json", "[]", "{}", R"({"choices":[]})", R"({"choices":[{}]})",
        R"({"choices":[{"message":"hi"}]})", R"({"choices":[{"message":{"content":5}}]})",
        R"({"choices":[{"message":{"tool_calls":[{"function":{}}]}}]})",
        R"({"error":{"message":"invalid api key"}})"})
    EXPECT_FALSE(wire::parse_completion(garbage)) << garbage;
}

}  // namespace
}  // namespace todo::chat
