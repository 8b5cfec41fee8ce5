#pragma once
// The connection side of a streamed response (see stream.hpp): writes the head, then the
// stream's body as it is pushed, heartbeats, and ends the connection when the stream ends.
//
// Threads: everything here runs on the connection's I/O thread (its io_context has one
// thread), so the socket, the wake-up timer and the reader need no strand.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

#include "http/stream.hpp"
#include "http/types.hpp"

namespace todo::http {

class StreamWriter {
 public:
  // Writes `head` (its body, if any, becomes the first bytes of the stream) with
  // Transfer-Encoding: chunked for HTTP/1.1 (HTTP/1.0: raw bytes, the body ends with the
  // connection), then whatever is pushed, until the stream ends; then closes the socket.
  // Returns once the stream has finished (its on_close callbacks ran). `stopping` is the
  // server's stop flag: once set, the stream ends as by close() (flushed, final chunk).
  static boost::asio::awaitable<void> run(boost::beast::tcp_stream& connection, Response head,
                                          std::shared_ptr<Stream> stream,
                                          const std::atomic<bool>& stopping);

  // Server-side hooks on a Stream's private lifecycle (see Stream::end / Stream::finish).
  static void end(Stream& stream, StreamEnd reason) { stream.end(reason); }
  static void finish(Stream& stream, StreamEnd reason) { stream.finish(reason); }
};

}  // namespace todo::http
