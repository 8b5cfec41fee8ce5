#pragma once
// An http::Server in this process on 127.0.0.1:<free port>, with a streaming route, and
// plain POSIX socket clients (poll, no HTTP library: the tests look at the bytes).
//
// GET /stream opens a stream with the fixture's StreamOptions, registers it in a TestHub
// and answers the SSE head. TestHub::publish pushes one message to every open stream.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"
#include "http/stream.hpp"
#include "ops/metrics.hpp"

namespace todo::http::testing {

using Clock = std::chrono::steady_clock;

// The streams a test route opened: a stand-in for the event hub of later issues.
class TestHub {
 public:
  void add(const std::shared_ptr<Stream>& stream) {
    {
      std::lock_guard lock(mutex_);
      open_[stream.get()] = stream;
      ++opened_;
    }
    // Outside the lock: on a refused stream the callback runs at once.
    stream->on_close([this, raw = stream.get()] {
      std::lock_guard lock(mutex_);
      ends_.push_back(raw->end_reason().value_or(StreamEnd::closed));
      ++calls_[raw];
      open_.erase(raw);
    });
  }
  // Pushes `message` to every open stream; returns how many took it.
  int publish(const std::string& message) {
    std::vector<std::shared_ptr<Stream>> streams;
    {
      std::lock_guard lock(mutex_);
      for (auto& [raw, s] : open_) streams.push_back(s);
    }
    int taken = 0;
    for (auto& s : streams) taken += s->push(message) ? 1 : 0;
    return taken;
  }
  void close_all() {
    std::vector<std::shared_ptr<Stream>> streams;
    {
      std::lock_guard lock(mutex_);
      for (auto& [raw, s] : open_) streams.push_back(s);
    }
    for (auto& s : streams) s->close();
  }
  std::size_t open_count() {
    std::lock_guard lock(mutex_);
    return open_.size();
  }
  std::size_t opened_count() {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<StreamEnd> ends() {
    std::lock_guard lock(mutex_);
    return ends_;
  }
  // Every on_close ran exactly once.
  bool each_closed_once() {
    std::lock_guard lock(mutex_);
    for (auto& [raw, n] : calls_)
      if (n != 1) return false;
    return calls_.size() == ends_.size();
  }

 private:
  std::mutex mutex_;
  std::map<Stream*, std::shared_ptr<Stream>> open_;
  std::map<Stream*, int> calls_;
  std::vector<StreamEnd> ends_;
  std::size_t opened_ = 0;
};

// A client socket; what it received accumulates in `received`.
struct Client {
  int fd = -1;
  std::string received;
  bool eof = false;

  Client() = default;
  Client(Client&& o) noexcept
      : fd(std::exchange(o.fd, -1)), received(std::move(o.received)), eof(o.eof) {}
  Client& operator=(Client&& o) noexcept {
    std::swap(fd, o.fd);
    received = std::move(o.received);
    eof = o.eof;
    return *this;
  }
  ~Client() {
    if (fd >= 0) ::close(fd);
  }

  // rcvbuf > 0: a small receive window (set before connect, so the window is small).
  static Client connect_to(unsigned short port, int rcvbuf = 0) {
    Client c;
    c.fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (c.fd < 0) throw std::runtime_error("socket() failed");
    if (rcvbuf > 0) ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect() failed");
    return c;
  }
  void send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send() failed");
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reads what is there now, without blocking.
  void read_available() {
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        received.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) eof = true;
      return;
    }
  }
  bool has(std::string_view text) const { return received.find(text) != std::string::npos; }
  std::size_t count(std::string_view text) const {
    std::size_t n = 0;
    for (auto pos = received.find(text); pos != std::string::npos;
         pos = received.find(text, pos + text.size()))
      ++n;
    return n;
  }
};

// Reads from the clients until done(client) holds for each, or the deadline passes.
// Returns true when all are done.
inline bool read_until(std::vector<Client*> clients, const std::function<bool(const Client&)>& done,
                       std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Client*> waiting;
    for (auto* c : clients)
      if (!done(*c) && !c->eof) {
        fds.push_back({c->fd, POLLIN, 0});
        waiting.push_back(c);
      }
    bool all = true;
    for (auto* c : clients) all = all && done(*c);
    if (all) return true;
    if (waiting.empty() || Clock::now() >= deadline) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 200)));
    if (ready <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents) waiting[i]->read_available();
  }
}

// Polls `condition` until it holds or `timeout` passes (a deadline, not a sleep).
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline std::vector<Client*> pointers(std::vector<Client>& clients) {
  std::vector<Client*> out;
  for (auto& c : clients) out.push_back(&c);
  return out;
}

inline void raise_fd_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

inline std::string stream_request(unsigned version_minor = 1) {
  return "GET /stream HTTP/1." + std::to_string(version_minor) +
         "\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
}

// The server, its router and the hub; run() on its own thread.
class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}, StreamOptions stream_options = {})
      : stream_options_(std::move(stream_options)) {
    router_.add(beast_http::verb::get, "/stream",
                [this](RequestContext& ctx) { return open(ctx); });
    router_.add(beast_http::verb::get, "/plain",
                [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
                  Response res{beast_http::status::ok, ctx.request.version()};
                  res.set(beast_http::field::content_type, "text/plain");
                  res.keep_alive(ctx.request.keep_alive());
                  res.body() = "plain";
                  res.prepare_payload();
                  co_return res;
                });
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(options, router_, metrics_);
    port_ = server_->bind();
  }
  ~TestServer() { stop(); }

  void start() {
    std::promise<void> done;
    returned_ = done.get_future();
    thread_ = std::thread([this, done = std::move(done)]() mutable {
      server_->run({});
      done.set_value();
    });
    // Once a request is answered, run() has installed its signal handlers.
    Client probe = Client::connect_to(port_);
    probe.send_all("GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if (!read_until(
            {&probe}, [](const Client& c) { return c.eof; }, std::chrono::seconds(30)))
      throw std::runtime_error("the test server did not answer");
  }
  // True when run() returned within `timeout`.
  bool wait_returned(std::chrono::milliseconds timeout) {
    return returned_.wait_for(timeout) == std::future_status::ready;
  }
  void stop() {
    if (thread_.joinable()) {
      server_->request_stop();
      thread_.join();
    }
  }

  unsigned short port() const { return port_; }
  TestHub& hub() { return hub_; }
  Server& server() { return *server_; }
  ops::Metrics& metrics() { return metrics_; }
  std::thread& thread() { return thread_; }

 private:
  boost::asio::awaitable<Response> open(RequestContext& ctx) {
    auto stream = ctx.open_stream(stream_options_);
    hub_.add(stream);
    Response res{beast_http::status::ok, ctx.request.version()};
    res.set(beast_http::field::content_type, "text/event-stream");
    res.set(beast_http::field::cache_control, "no-store");
    co_return res;
  }

  StreamOptions stream_options_;
  Router router_;
  ops::Metrics metrics_;
  TestHub hub_;
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::future<void> returned_;
};

}  // namespace todo::http::testing
