#pragma once
// A streaming response body (Server-Sent Events now, MCP streamable HTTP later): the
// producer side.
//
// A handler calls ctx.open_stream() and returns the head Response (status and headers,
// e.g. Content-Type: text/event-stream); the server writes the head, then whatever is
// pushed, as it comes (HTTP/1.1: Transfer-Encoding: chunked; HTTP/1.0: raw bytes, the end
// of the body is the end of the connection). A streamed response always ends its
// connection: no keep-alive after it.
//
// Lifecycle: open -> (close() or server stop: queued bytes are flushed, then the body
// ends) or (client gone, overflow, write timeout: the connection is dropped, queued bytes
// are discarded) -> ended: every on_close callback has run, exactly once each.
//
// Threads: every public method may be called from any thread. push() never blocks and
// never waits for the network: it appends to a bounded queue and wakes the connection's
// writer by posting to the connection's executor (see stream.cpp for why a timer is the
// wake-up). on_close callbacks run on whichever thread ends the stream (usually the
// connection's I/O thread): they must be quick and must not block.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace todo::http {

// Why a stream ended; the label of todo_http_streams_closed_total{reason=...}.
enum class StreamEnd {
  closed,         // the producer called close(): flushed, body ended
  client_gone,    // the client closed the connection or a write failed
  overflow,       // more than max_queued_bytes waited: the reader is too slow
  write_timeout,  // one write did not complete within write_timeout
  server_stop,    // graceful stop (SIGTERM/SIGINT): flushed, body ended
  refused,        // never started: the stream cap was reached (503), or the handler
                  // answered with a non-2xx status, or no server was there to stream
};
std::string_view to_string(StreamEnd reason);

struct StreamOptions {
  // Bytes pushed but not yet written to the socket. Past it the reader is too slow: the
  // stream ends with StreamEnd::overflow and its connection is dropped, so memory per
  // stream stays bounded whatever the reader does.
  std::size_t max_queued_bytes = std::size_t{1} << 20;
  // heartbeat_text is written when nothing else was written for this long, so proxies
  // and clients see a live connection (and a vanished client is noticed). 0: none.
  std::chrono::milliseconds heartbeat{15'000};
  std::string heartbeat_text = ": keep-alive\n\n";  // an SSE comment (WHATWG HTML §9.2.6)
  // One write must complete within this; a reader that stops reading is dropped.
  std::chrono::milliseconds write_timeout{30'000};
};

class StreamWriter;

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  explicit Stream(StreamOptions options);
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Queues `data` for the body. true: queued. false: the stream is closed (or closing),
  // or this push would exceed max_queued_bytes, which ends the stream (overflow).
  bool push(std::string data);
  // Ends the stream once what is queued is written (then the final chunk). Idempotent.
  void close();
  // True once push() refuses: after close(), or when the stream ended for any reason.
  bool closed() const;
  // Runs `callback` exactly once when the stream has ended, for any reason (at once, on
  // the calling thread, if it already has). Callbacks run outside the stream's lock: they
  // may call the stream's methods.
  void on_close(std::function<void()> callback);
  // Why the stream ended or is ending; nullopt while open. The first reason wins.
  std::optional<StreamEnd> end_reason() const;
  // True once it has ended and the on_close callbacks ran (or are running).
  bool ended() const;
  const StreamOptions& options() const { return options_; }

 private:
  friend class StreamWriter;  // the connection side: stream_writer.cpp

  // What the writer finds when it looks at the queue.
  struct Take {
    std::string data;     // bytes to write now (may be empty)
    bool finish = false;  // no more data will come: write the end of the body
    bool drop = false;    // end without flushing: client gone, overflow, timeout
  };
  Take take();
  void written(std::size_t bytes);  // the bytes of a take() reached the socket
  // Ends the stream for `reason`: graceful reasons flush, the others drop the queue.
  void end(StreamEnd reason);
  // The connection's writer is listening: `wake(drop)` runs on `executor` after a push or
  // an end (drop: the stream ends without flushing, abandon a write in progress).
  void attach(boost::asio::any_io_executor executor, std::function<void(bool drop)> wake);
  // Final: detaches the writer and runs the callbacks. Only the first call does anything.
  void finish(StreamEnd reason_if_none);
  void wake_locked();  // posts the wake-up unless one is pending; caller holds mutex_

  const StreamOptions options_;
  mutable std::mutex mutex_;
  std::string queue_;
  std::size_t queued_bytes_ = 0;  // in queue_ plus taken but not yet written
  std::optional<StreamEnd> reason_;
  bool drop_ = false;
  bool finished_ = false;
  bool wake_pending_ = false;
  std::optional<boost::asio::any_io_executor> executor_;
  std::function<void(bool)> wake_;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace todo::http
