// A real SIGTERM with 1 000 streams open: every stream is flushed and ended, every client
// sees the end of its chunked body and then EOF, and run() returns within the grace period.
#include <gtest/gtest.h>

#include <csignal>

#include "http/sse.hpp"
#include "test_server.hpp"

namespace todo::http::testing {
namespace {

using namespace std::chrono_literals;

TEST(GracefulStop, SigtermEndsEveryStreamAndRunReturnsWithinTheGracePeriod) {
  raise_fd_limit();
  ServerOptions options;
  options.shutdown_grace_seconds = 30;
  options.max_connections_per_address =
      1000;  // every client is 127.0.0.1  // generous; the streams must not need it
  StreamOptions stream_options;
  stream_options.heartbeat = 0ms;
  TestServer server(options, stream_options);
  server.start();
  constexpr int kStreams = 1000;
  std::vector<Client> clients;
  clients.reserve(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(Client::connect_to(server.port()));
    clients.back().send_all(stream_request());
  }
  ASSERT_TRUE(read_until(
      pointers(clients), [](const Client& c) { return c.has("\r\n\r\n"); }, 60s));
  ASSERT_TRUE(eventually([&] { return server.hub().open_count() == kStreams; }, 60s));
  ASSERT_EQ(server.hub().open_count(), std::size_t(kStreams));

  // Queued, not yet read by anyone: the stop must flush it before the final chunk.
  const std::string last = sse_message("last", "bye", "the server is stopping");
  EXPECT_EQ(server.hub().publish(last), kStreams);
  auto signalled = Clock::now();
  ASSERT_EQ(std::raise(SIGTERM), 0);  // taken by the server's signal_set

  ASSERT_TRUE(server.wait_returned(std::chrono::seconds(options.shutdown_grace_seconds + 30)))
      << "run() did not return";
  EXPECT_LT(Clock::now() - signalled, std::chrono::seconds(options.shutdown_grace_seconds))
      << "run() waited for the grace period: streams were not ended by the stop";
  server.thread().join();

  ASSERT_TRUE(read_until(
      pointers(clients), [](const Client& c) { return c.eof; }, 60s));
  for (auto& c : clients) {
    EXPECT_TRUE(c.has(last));
    EXPECT_TRUE(c.received.ends_with("\r\n0\r\n\r\n")) << c.received.substr(0, 300);
  }
  auto ends = server.hub().ends();
  EXPECT_EQ(ends.size(), std::size_t(kStreams));
  EXPECT_EQ(std::count(ends.begin(), ends.end(), StreamEnd::server_stop), kStreams);
  EXPECT_TRUE(server.hub().each_closed_once());
  EXPECT_EQ(server.server().open_streams(), 0);
}

}  // namespace
}  // namespace todo::http::testing
