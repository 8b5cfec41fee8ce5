// WHATWG HTML §9.2 "Server-sent events": what a client's parser makes of sse_message().
#include "http/sse.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace todo::http {
namespace {

// A minimal event-stream parser as the spec describes it ("Interpreting an event
// stream"): the test checks what a browser would see, not only the bytes.
struct Event {
  std::string id, type, data;
};
std::vector<Event> parse(std::string_view stream) {
  std::vector<Event> events;
  std::string id, type, data;
  bool has_data = false;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    std::size_t end = stream.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) break;  // an incomplete line is not processed
    std::string_view line = stream.substr(pos, end - pos);
    pos = end + 1;
    if (stream[end] == '\r' && pos < stream.size() && stream[pos] == '\n') ++pos;
    if (line.empty()) {
      if (has_data) {
        if (!data.empty() && data.back() == '\n') data.pop_back();
        events.push_back({id, type.empty() ? "message" : type, data});
      }
      data.clear();
      type.clear();
      has_data = false;
      continue;
    }
    if (line.front() == ':') continue;
    auto colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    if (name == "data") {
      data.append(value);
      data += '\n';
      has_data = true;
    } else if (name == "event") {
      type = value;
    } else if (name == "id" && value.find('\0') == std::string_view::npos) {
      id = value;
    }
  }
  return events;
}

TEST(SseMessage, IdEventAndData) {
  EXPECT_EQ(sse_message("7", "task", "{\"id\":1}"), "id: 7\nevent: task\ndata: {\"id\":1}\n\n");
  auto events = parse(sse_message("7", "task", "{\"id\":1}"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].type, "task");
  EXPECT_EQ(events[0].data, "{\"id\":1}");
}

TEST(SseMessage, NoIdNoEventGivesAPlainMessage) {
  EXPECT_EQ(sse_message("", "", "hello"), "data: hello\n\n");
  auto events = parse(sse_message("", "", "hello"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "message");
}

TEST(SseMessage, EveryKindOfLineEndSplitsData) {
  EXPECT_EQ(sse_message("", "", "a\nb\rc\r\nd"), "data: a\ndata: b\ndata: c\ndata: d\n\n");
  auto events = parse(sse_message("", "", "a\nb\rc\r\nd"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb\nc\nd");  // the client joins lines with LF
}

TEST(SseMessage, EmptyLinesAndTrailingNewlineSurvive) {
  EXPECT_EQ(sse_message("", "", "a\n\nb\n"), "data: a\ndata: \ndata: b\ndata: \n\n");
  EXPECT_EQ(parse(sse_message("", "", "a\n\nb\n")).at(0).data, "a\n\nb\n");
  EXPECT_EQ(sse_message("", "", "\r\n\r\n"), "data: \ndata: \ndata: \n\n");
}

TEST(SseMessage, EmptyDataIsStillDispatched) {
  EXPECT_EQ(sse_message("", "ping", ""), "event: ping\ndata: \n\n");
  auto events = parse(sse_message("", "ping", ""));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "");
}

TEST(SseMessage, LeadingSpacesAndColonsInDataAreKept) {
  auto events = parse(sse_message("", "", "  indented: yes\n:not a comment"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "  indented: yes\n:not a comment");
}

TEST(SseMessage, NewlinesInIdAndEventAreStrippedSoNoFieldIsInjected) {
  std::string m = sse_message("1\r\ndata: evil", "task\nid: 9", "ok");
  EXPECT_EQ(m, "id: 1data: evil\nevent: taskid: 9\ndata: ok\n\n");
  auto events = parse(m);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "ok");
  EXPECT_EQ(events[0].id, "1data: evil");
  // NUL would make a client ignore the id: it is removed.
  EXPECT_EQ(sse_message(std::string_view("4\0"
                                         "2",
                                         3),
                        "", "x"),
            "id: 42\ndata: x\n\n");
}

TEST(SseComment, IsIgnoredByClients) {
  EXPECT_EQ(sse_comment("keep-alive"), ": keep-alive\n\n");
  EXPECT_TRUE(parse(sse_comment("a\nb")).empty());
}

}  // namespace
}  // namespace todo::http
