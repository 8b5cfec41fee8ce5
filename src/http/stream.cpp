#include "http/stream.hpp"
#include "core/log.hpp"

#include <boost/asio/post.hpp>

namespace todo::http {

// How producers wake the writer: a post to the connection's executor that cancels the
// writer's steady_timer (stream_writer.cpp). Chosen over
// asio::experimental::concurrent_channel because
// - the timer is needed anyway for the heartbeat: one wait covers "data came" and
//   "heartbeat due";
// - the data itself stays in one std::string under our mutex, so bytes are counted
//   exactly for max_queued_bytes and a burst of pushes becomes one chunk on the wire
//   (a channel would hold one element per push, each with its own allocation);
// - wake_pending_ coalesces wake-ups: a burst of pushes costs one post, not one per push;
// - the timer lives in the writer's coroutine frame: nothing here outlives the
//   connection's io_context (the executor is dropped in finish(), before it can go).
void Stream::wake_locked() {
  if (!executor_ || wake_pending_) return;
  wake_pending_ = true;
  boost::asio::post(*executor_, [self = shared_from_this()] {
    std::function<void(bool)> wake;
    bool drop = false;
    {
      std::lock_guard lock(self->mutex_);
      self->wake_pending_ = false;
      wake = self->wake_;
      drop = self->drop_;
    }
    if (wake) wake(drop);
  });
}

std::string_view to_string(StreamEnd reason) {
  switch (reason) {
    case StreamEnd::closed:
      return "closed";
    case StreamEnd::client_gone:
      return "client_gone";
    case StreamEnd::overflow:
      return "overflow";
    case StreamEnd::write_timeout:
      return "write_timeout";
    case StreamEnd::server_stop:
      return "server_stop";
    case StreamEnd::refused:
      return "refused";
  }
  return "closed";
}

Stream::Stream(StreamOptions options) : options_(std::move(options)) {}

bool Stream::push(std::string data) {
  std::lock_guard lock(mutex_);
  if (reason_) return false;
  if (queued_bytes_ + data.size() > options_.max_queued_bytes) {
    // The reader is too slow: drop it rather than grow. Memory goes back at once.
    reason_ = StreamEnd::overflow;
    drop_ = true;
    std::string().swap(queue_);
    wake_locked();
    return false;
  }
  if (data.empty()) return true;
  queued_bytes_ += data.size();
  if (queue_.empty())
    queue_ = std::move(data);
  else
    queue_ += data;
  wake_locked();
  return true;
}

void Stream::close() {
  std::lock_guard lock(mutex_);
  if (reason_) return;
  reason_ = StreamEnd::closed;
  wake_locked();
}

bool Stream::closed() const {
  std::lock_guard lock(mutex_);
  return reason_.has_value();
}

bool Stream::ended() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

std::optional<StreamEnd> Stream::end_reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

void Stream::on_close(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (!finished_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

Stream::Take Stream::take() {
  std::lock_guard lock(mutex_);
  Take t;
  if (drop_) {
    t.drop = true;
    return t;
  }
  t.data = std::move(queue_);
  queue_.clear();
  t.finish = reason_.has_value();
  return t;
}

void Stream::written(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  queued_bytes_ -= std::min(bytes, queued_bytes_);
}

void Stream::end(StreamEnd reason) {
  std::lock_guard lock(mutex_);
  bool graceful = reason == StreamEnd::closed || reason == StreamEnd::server_stop;
  if (!reason_) reason_ = reason;
  // A failure while flushing (client gone during close()) still stops the flush.
  if (!graceful && !drop_) {
    drop_ = true;
    std::string().swap(queue_);
  }
  wake_locked();
}

void Stream::attach(boost::asio::any_io_executor executor, std::function<void(bool)> wake) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  executor_ = std::move(executor);
  wake_ = std::move(wake);
  wake_pending_ = false;
}

void Stream::finish(StreamEnd reason_if_none) {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    if (!reason_) reason_ = reason_if_none;
    executor_.reset();
    wake_ = nullptr;
    std::string().swap(queue_);
    callbacks.swap(callbacks_);
  }
  for (auto& callback : callbacks) {
    try {
      callback();
    } catch (const std::exception& e) {
      // One failing callback must not keep the others (a hub's unregister) from running.
      log::error("a stream's on_close callback threw: {}", e.what());
    }
  }
}

}  // namespace todo::http
