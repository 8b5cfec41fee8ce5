// Stream's producer side without a server: queue bounds, close, on_close exactly once.
#include "http/stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/stream_writer.hpp"

namespace todo::http {
namespace {

TEST(Stream, PushUntilTheQueueLimitThenOverflowEndsIt) {
  StreamOptions options;
  options.max_queued_bytes = 10;
  auto s = std::make_shared<Stream>(options);
  int calls = 0;
  s->on_close([&] { ++calls; });
  EXPECT_TRUE(s->push("12345"));
  EXPECT_TRUE(s->push("67890"));
  EXPECT_FALSE(s->closed());
  EXPECT_FALSE(s->push("x"));  // 11 bytes would wait: the reader is too slow
  EXPECT_TRUE(s->closed());
  EXPECT_EQ(s->end_reason(), StreamEnd::overflow);
  EXPECT_FALSE(s->push("y"));
  EXPECT_EQ(calls, 0);  // ends when the connection side finishes it
  StreamWriter::finish(*s, StreamEnd::closed);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s->end_reason(), StreamEnd::overflow);  // the first reason wins
  StreamWriter::finish(*s, StreamEnd::closed);
  EXPECT_EQ(calls, 1);
}

TEST(Stream, CloseRefusesFurtherPushes) {
  auto s = std::make_shared<Stream>(StreamOptions{});
  EXPECT_TRUE(s->push("a"));
  s->close();
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->push("b"));
  EXPECT_EQ(s->end_reason(), StreamEnd::closed);
}

TEST(Stream, OnCloseAfterTheEndRunsAtOnce) {
  auto s = std::make_shared<Stream>(StreamOptions{});
  StreamWriter::finish(*s, StreamEnd::refused);
  bool ran = false;
  s->on_close([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_TRUE(s->ended());
  EXPECT_EQ(s->end_reason(), StreamEnd::refused);
}

TEST(Stream, OpenStreamOutsideAServerIsRefused) {
  Request req{beast_http::verb::get, "/", 11};
  RequestContext ctx{req, {}, {}, "id", "127.0.0.1", "/"};
  auto s = ctx.open_stream();
  EXPECT_TRUE(s->ended());
  EXPECT_EQ(s->end_reason(), StreamEnd::refused);
  EXPECT_FALSE(s->push("x"));
}

TEST(Stream, ConcurrentProducersAndAFinishCallEachCallbackOnce) {
  auto s = std::make_shared<Stream>(StreamOptions{});
  std::atomic<int> calls{0};
  for (int i = 0; i < 8; ++i) s->on_close([&] { ++calls; });
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t)
    producers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) s->push("data: x\n\n");
    });
  std::thread finisher([&] { StreamWriter::finish(*s, StreamEnd::client_gone); });
  for (auto& p : producers) p.join();
  finisher.join();
  StreamWriter::finish(*s, StreamEnd::closed);
  EXPECT_EQ(calls.load(), 8);
}

}  // namespace
}  // namespace todo::http
