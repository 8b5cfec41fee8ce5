// Streaming responses end to end: an in-process http::Server, real sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "http/sse.hpp"
#include "test_server.hpp"

namespace todo::http::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 60s;
constexpr int kStreams = 1000;  // generous: a busy machine is slow, not wrong

bool has_head(const Client& c) {
  return c.has("\r\n\r\n");
}

std::vector<Client> open_streams(unsigned short port, int n) {
  std::vector<Client> clients;
  clients.reserve(n);
  for (int i = 0; i < n; ++i) {
    clients.push_back(Client::connect_to(port));
    clients.back().send_all(stream_request());
  }
  return clients;
}

TEST(Streaming, ThousandStreamsEachReceiveAPublishedMessage) {
  raise_fd_limit();
  ServerOptions options;
  options.max_connections_per_address = kStreams;  // every client is 127.0.0.1
  TestServer server(options);
  server.start();
  auto clients = open_streams(server.port(), kStreams);
  ASSERT_TRUE(read_until(pointers(clients), has_head, kDeadline));
  for (auto& c : clients) {
    ASSERT_TRUE(c.received.starts_with("HTTP/1.1 200 OK\r\n")) << c.received;
    EXPECT_TRUE(c.has("Transfer-Encoding: chunked\r\n"));
    EXPECT_TRUE(c.has("Content-Type: text/event-stream\r\n"));
    EXPECT_TRUE(c.has("X-Content-Type-Options: nosniff\r\n"));
  }
  EXPECT_EQ(server.server().open_streams(), kStreams);
  EXPECT_NE(server.metrics().render().find("todo_http_open_streams 1000"), std::string::npos);

  const std::string message = sse_message("1", "task", "{\"title\":\"Pay rent\"}");
  EXPECT_EQ(server.hub().publish(message), kStreams);
  ASSERT_TRUE(read_until(
      pointers(clients), [&](const Client& c) { return c.has(message); }, kDeadline));
  for (auto& c : clients) EXPECT_EQ(c.count(message), 1u);
}

TEST(Streaming, AReaderThatStopsReadingIsDroppedOthersGetEverything) {
  StreamOptions options;
  options.max_queued_bytes = 256 * 1024;
  options.heartbeat = 0ms;
  TestServer server({}, options);
  server.start();
  auto readers = open_streams(server.port(), 3);
  Client slow = Client::connect_to(server.port(), /*rcvbuf=*/4096);
  slow.send_all(stream_request());
  ASSERT_TRUE(read_until(pointers(readers), has_head, kDeadline));
  ASSERT_TRUE(eventually([&] { return server.hub().open_count() == 4; }, kDeadline));

  // 64 KiB messages until the slow reader is gone: its socket buffers fill, then its
  // queue passes 256 KiB. The others read everything as it comes.
  const std::string padding(64 * 1024, 'x');
  int published = 0;
  auto deadline = Clock::now() + kDeadline;
  while (server.hub().ends().empty() && Clock::now() < deadline && published < 2000) {
    std::string message = sse_message(std::to_string(published), "", padding);
    server.hub().publish(message);
    ++published;
    std::string id_line = "id: " + std::to_string(published - 1) + "\n";
    ASSERT_TRUE(read_until(
        pointers(readers), [&](const Client& c) { return c.has(id_line); }, kDeadline))
        << "a fast reader missed message " << published - 1;
    for (auto& r : readers) r.received.erase(0, r.received.rfind(id_line));  // keep it small
  }
  std::cerr << "slow reader ended after " << published << " messages of 64 KiB\n";
  auto ends = server.hub().ends();
  ASSERT_EQ(ends.size(), 1u) << "the slow reader was not dropped after " << published
                             << " messages";
  EXPECT_TRUE(ends[0] == StreamEnd::overflow || ends[0] == StreamEnd::write_timeout)
      << to_string(ends[0]);
  EXPECT_EQ(server.hub().open_count(), 3u);

  // The others go on receiving.
  const std::string after = sse_message("after", "", "still here");
  EXPECT_EQ(server.hub().publish(after), 3);
  EXPECT_TRUE(read_until(
      pointers(readers), [&](const Client& c) { return c.has(after); }, kDeadline));
  EXPECT_NE(server.metrics().render().find("todo_http_streams_closed_total{reason=\"" +
                                           std::string(to_string(ends[0])) + "\"} 1"),
            std::string::npos);
}

TEST(Streaming, StreamCapAnswers503WithRetryAfter) {
  ServerOptions options;
  options.max_streams = 2;
  TestServer server(options);
  server.start();
  auto clients = open_streams(server.port(), 2);
  ASSERT_TRUE(read_until(pointers(clients), has_head, kDeadline));
  Client third = Client::connect_to(server.port());
  third.send_all(stream_request());
  ASSERT_TRUE(read_until(
      {&third}, [](const Client& c) { return c.has("\r\n\r\n{"); }, kDeadline));
  EXPECT_TRUE(third.received.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << third.received;
  EXPECT_TRUE(third.has("Retry-After: 1\r\n"));
  EXPECT_TRUE(third.has("Content-Type: application/problem+json\r\n"));
  EXPECT_TRUE(third.has("X-Content-Type-Options: nosniff\r\n"));
  auto ends = server.hub().ends();  // the refused stream's on_close ran
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0], StreamEnd::refused);
  EXPECT_EQ(server.server().open_streams(), 2);
  // The two open ones still work.
  EXPECT_EQ(server.hub().publish(sse_message("", "", "hi")), 2);
  std::string metrics = server.metrics().render();
  EXPECT_NE(metrics.find("todo_http_streams_closed_total{reason=\"refused\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("todo_http_open_streams 2"), std::string::npos);
}

TEST(Streaming, HeartbeatsArriveOnAnIdleStream) {
  StreamOptions options;
  options.heartbeat = 100ms;
  TestServer server({}, options);
  server.start();
  Client c = Client::connect_to(server.port());
  c.send_all(stream_request());
  EXPECT_TRUE(read_until(
      {&c}, [](const Client& c) { return c.count(": keep-alive\n\n") >= 2; }, kDeadline))
      << c.received;
}

TEST(Streaming, CloseFlushesThenEndsTheChunkedBodyAndTheConnection) {
  StreamOptions options;
  options.heartbeat = 0ms;
  TestServer server({}, options);
  server.start();
  Client c = Client::connect_to(server.port());
  c.send_all(stream_request());
  ASSERT_TRUE(read_until({&c}, has_head, kDeadline));
  EXPECT_TRUE(c.has("Connection: close\r\n"));
  server.hub().publish("data: one\n\n");
  server.hub().publish("data: two\n\n");
  server.hub().close_all();
  ASSERT_TRUE(read_until(
      {&c}, [](const Client& c) { return c.eof; }, kDeadline));
  EXPECT_TRUE(c.has("data: one\n\n"));
  EXPECT_TRUE(c.has("data: two\n\n"));
  EXPECT_TRUE(c.received.ends_with("\r\n0\r\n\r\n")) << c.received;
  ASSERT_TRUE(eventually([&] { return !server.hub().ends().empty(); }, kDeadline));
  auto ends = server.hub().ends();
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0], StreamEnd::closed);
  EXPECT_TRUE(server.hub().each_closed_once());
}

TEST(Streaming, Http10StreamIsRawBytesEndedByClose) {
  StreamOptions options;
  options.heartbeat = 0ms;
  TestServer server({}, options);
  server.start();
  Client c = Client::connect_to(server.port());
  c.send_all(stream_request(0));
  ASSERT_TRUE(read_until({&c}, has_head, kDeadline));
  EXPECT_FALSE(c.has("Transfer-Encoding")) << c.received;
  EXPECT_FALSE(c.has("Content-Length")) << c.received;
  server.hub().publish("data: one\n\n");
  server.hub().close_all();
  ASSERT_TRUE(read_until(
      {&c}, [](const Client& c) { return c.eof; }, kDeadline));
  EXPECT_TRUE(c.received.ends_with("\r\n\r\ndata: one\n\n")) << c.received;
}

TEST(Streaming, AClientThatLeavesEndsItsStream) {
  StreamOptions options;
  options.heartbeat = 0ms;  // noticed by the read side, not by a failed write
  TestServer server({}, options);
  server.start();
  {
    Client c = Client::connect_to(server.port());
    c.send_all(stream_request());
    ASSERT_TRUE(read_until({&c}, has_head, kDeadline));
  }  // closed here
  ASSERT_TRUE(eventually([&] { return !server.hub().ends().empty(); }, kDeadline));
  auto ends = server.hub().ends();
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0], StreamEnd::client_gone);
  EXPECT_EQ(server.server().open_streams(), 0);
}

}  // namespace
}  // namespace todo::http::testing
