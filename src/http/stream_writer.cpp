#include "http/stream_writer.hpp"
#include "http/await_token.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

namespace todo::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// One body piece: a chunk (RFC 9112 §7.1) or, for HTTP/1.0, the bytes as they are.
asio::awaitable<beast::error_code> write_piece(beast::tcp_stream& connection, std::string_view data,
                                               bool chunked, Clock::duration timeout) {
  connection.expires_after(timeout);
  beast::error_code ec;
  if (chunked)
    std::tie(ec, std::ignore) = co_await asio::async_write(
        connection, beast_http::make_chunk(asio::const_buffer(data.data(), data.size())), kAwait);
  else
    std::tie(ec, std::ignore) = co_await asio::async_write(
        connection, asio::const_buffer(data.data(), data.size()), kAwait);
  connection.expires_never();
  co_return ec;
}

StreamEnd failure_reason(const beast::error_code& ec) {
  return ec == beast::error::timeout ? StreamEnd::write_timeout : StreamEnd::client_gone;
}

// Reads (and discards) whatever the client sends, only to notice when it goes away: an
// SSE client never sends anything after its request, so EOF or a reset means it left.
// Reads the raw socket, not the tcp_stream, so the write timeout does not apply to it.
asio::awaitable<void> watch_client(beast::tcp_stream& connection, std::shared_ptr<Stream> stream,
                                   asio::steady_timer& timer, bool& done) {
  std::array<char, 512> scratch;
  for (;;) {
    auto [ec, n] = co_await connection.socket().async_read_some(asio::buffer(scratch), kAwait);
    if (!ec) continue;
    // operation_aborted: we closed or cancelled the socket ourselves (end of the stream,
    // write timeout, overflow): the stream already knows why.
    if (ec != asio::error::operation_aborted) StreamWriter::end(*stream, StreamEnd::client_gone);
    break;
  }
  done = true;
  timer.cancel();
}

}  // namespace

asio::awaitable<void> StreamWriter::run(beast::tcp_stream& connection, Response response,
                                        std::shared_ptr<Stream> stream,
                                        const std::atomic<bool>& stopping) {
  auto executor = co_await asio::this_coro::executor;
  const StreamOptions& options = stream->options();
  const bool chunked = response.version() >= 11;
  std::string first = std::move(response.body());
  beast_http::response<beast_http::empty_body> head{std::move(response.base())};
  head.erase(beast_http::field::content_length);
  head.erase(beast_http::field::transfer_encoding);
  head.keep_alive(false);  // a stream ends its connection (stream.hpp)
  if (chunked) head.chunked(true);

  connection.expires_after(options.write_timeout);
  beast_http::response_serializer<beast_http::empty_body> serializer{head};
  auto [head_ec, head_n] = co_await beast_http::async_write_header(connection, serializer, kAwait);
  connection.expires_never();
  if (head_ec) {
    end(*stream, failure_reason(head_ec));
    finish(*stream, StreamEnd::client_gone);
    co_return;
  }

  asio::steady_timer timer(executor);
  bool reader_done = false;
  stream->attach(executor, [&](bool drop) {
    // drop: abandon a write stuck on a slow reader now rather than at its timeout.
    if (drop) {
      beast::error_code ec;
      connection.socket().cancel(ec);
    }
    timer.cancel();
  });
  asio::co_spawn(executor, watch_client(connection, stream, timer, reader_done), asio::detached);

  auto last_write = Clock::now();
  for (;;) {
    if (stopping) end(*stream, StreamEnd::server_stop);
    Stream::Take take = stream->take();
    if (take.drop) break;
    const std::size_t counted = take.data.size();
    if (!first.empty()) take.data.insert(0, std::exchange(first, {}));
    if (!take.data.empty()) {
      beast::error_code ec =
          co_await write_piece(connection, take.data, chunked, options.write_timeout);
      stream->written(counted);
      if (ec) {
        end(*stream, failure_reason(ec));
        break;
      }
      last_write = Clock::now();
      continue;  // more may have come meanwhile
    }
    if (take.finish) {
      if (chunked) {
        connection.expires_after(options.write_timeout);
        co_await asio::async_write(connection, beast_http::make_chunk_last(), kAwait);
        connection.expires_never();
      }
      break;
    }
    const bool beats = options.heartbeat.count() > 0;
    timer.expires_at(beats ? last_write + options.heartbeat : Clock::time_point::max());
    auto [wait_ec] = co_await timer.async_wait(kAwait);
    if (wait_ec || !beats || Clock::now() < last_write + options.heartbeat) continue;  // woken
    beast::error_code ec =
        co_await write_piece(connection, options.heartbeat_text, chunked, options.write_timeout);
    if (ec) {
      end(*stream, failure_reason(ec));
      break;
    }
    last_write = Clock::now();
  }

  // FIN after the last byte, then close: the client reads the whole body, then EOF.
  beast::error_code ignored;
  connection.socket().shutdown(tcp::socket::shutdown_send, ignored);
  connection.socket().close(ignored);
  // The reader coroutine sets reader_done and cancels the timer; it holds references into this
  // frame, so this frame waits for it. (clang-tidy cannot see the other coroutine.)
  // NOLINTNEXTLINE(bugprone-infinite-loop)
  while (!reader_done) {
    timer.expires_at(Clock::time_point::max());
    co_await timer.async_wait(kAwait);
  }
  finish(*stream, StreamEnd::closed);
}

}  // namespace todo::http

namespace todo::http {

std::shared_ptr<Stream> RequestContext::open_stream(StreamOptions options) {
  if (stream_opener) return stream_opener(std::move(options));
  auto stream = std::make_shared<Stream>(std::move(options));
  StreamWriter::finish(*stream, StreamEnd::refused);
  return stream;
}

}  // namespace todo::http
