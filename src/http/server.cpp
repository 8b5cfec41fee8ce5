#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <list>
#include <thread>

#include "core/random.hpp"
#include "http/body_stream.hpp"
#include "http/problem.hpp"

namespace todo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

namespace {

// What the stop sequence needs to know about a live connection. Only touched on the
// connection's own thread.
struct SessionState {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request: safe to close on stop
};

struct Slot {
  std::list<SessionState*> sessions;  // declared first: outlives the io_context's coroutines
  asio::io_context ioc{1};
};

Error too_large(std::size_t limit) {
  return Error::make(ErrorKind::payload_too_large,
                     "the request body exceeds the limit of " + std::to_string(limit) + " bytes");
}

// After an error answer sent while the client may still be sending its body: stop
// sending, then read and discard for a moment so that the client reads our answer rather
// than a connection reset (RFC 9112 §9.6).
asio::awaitable<void> lingering_close(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(2s);
  std::array<char, 16 * 1024> scratch;
  std::size_t discarded = 0;
  while (discarded < (64u << 20)) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAwait);
    if (read_ec) break;
    discarded += n;
  }
  stream.socket().close(ec);
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  ops::Metrics& metrics;
  std::atomic<int>& active;
  std::vector<std::unique_ptr<Slot>> slots;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> request_counter{0};
  std::string id_prefix = random_hex(4);
  std::size_t next_slot = 0;
  std::size_t largest_body_limit;

  Impl(ServerOptions o, const Router& r, ops::Metrics& m, std::atomic<int>& a)
      : options(std::move(o)), router(r), metrics(m), active(a) {
    int n = std::max(1, options.io_threads);
    for (int i = 0; i < n; ++i) slots.push_back(std::make_unique<Slot>());
    largest_body_limit = options.max_body_bytes;
    for (const auto& rule : options.body_limit_rules)
      largest_body_limit = std::max(largest_body_limit, rule.max_body_bytes);
  }

  std::size_t body_limit_for(std::string_view target) const {
    for (const auto& rule : options.body_limit_rules)
      if (target.starts_with(rule.path_prefix)) return rule.max_body_bytes;
    return options.max_body_bytes;
  }

  std::string next_request_id() { return id_prefix + "-" + std::to_string(++request_counter); }

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> reject(tcp::socket socket);
  asio::awaitable<void> session(tcp::socket socket, Slot& slot);
  asio::awaitable<Response> dispatch(const Request& req, const std::string& remote,
                                     const std::string& request_id,
                                     std::shared_ptr<BodySource>& body_source);
  void begin_stop();
};

asio::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping) {
    Slot& slot = *slots[next_slot++ % slots.size()];
    auto [ec, socket] = co_await acceptor->async_accept(slot.ioc, kAwait);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
      co_await t.async_wait(kAwait);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (active >= options.max_connections) {
      asio::co_spawn(slot.ioc, reject(std::move(socket)), asio::detached);
      continue;
    }
    ++active;
    asio::co_spawn(slot.ioc, session(std::move(socket), slot), [this](std::exception_ptr e) {
      --active;
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection ended by an exception: {}", ex.what());
        }
      }
    });
  }
}

asio::awaitable<void> Server::Impl::reject(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(2s);
  Error e = Error::make(ErrorKind::unavailable, "too many open connections; retry shortly");
  e.retry_after_seconds = 1;
  auto res = problem_response(e, 11, false);
  co_await beast_http::async_write(stream, res, kAwait);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> Server::Impl::session(tcp::socket socket, Slot& slot) {
  beast::error_code ec;
  std::string remote = socket.remote_endpoint(ec).address().to_string();
  beast::tcp_stream stream(std::move(socket));
  SessionState state{&stream, true};
  slot.sessions.push_front(&state);
  auto registration = slot.sessions.begin();
  struct Unregister {
    std::list<SessionState*>& list;
    std::list<SessionState*>::iterator it;
    ~Unregister() { list.erase(it); }
  } unregister{slot.sessions, registration};

  beast::flat_buffer buffer;
  bool first = true;
  while (!stopping) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(16 * 1024);
    // The largest limit while the header is read (Beast checks Content-Length against it
    // there); the path's own limit is applied once the target is known.
    parser.body_limit(largest_body_limit);
    state.idle = true;
    stream.expires_after(std::chrono::seconds(first ? options.header_timeout_seconds
                                                    : options.idle_timeout_seconds));
    first = false;
    auto [read_ec, n] = co_await beast_http::async_read_header(stream, buffer, parser, kAwait);
    state.idle = false;
    if (read_ec) {
      if (read_ec == beast_http::error::end_of_stream || read_ec == beast::error::timeout ||
          read_ec == asio::error::operation_aborted || read_ec == asio::error::connection_reset ||
          read_ec == asio::error::eof)
        break;
      // A declared Content-Length over every limit already fails while reading the header.
      Error e =
          read_ec == beast_http::error::body_limit
              ? too_large(largest_body_limit)
              : Error::make(ErrorKind::bad_request, "malformed HTTP request: " + read_ec.message());
      auto res = problem_response(e, 11, false);
      metrics.record_request("unmatched", "?", res.result_int(), 0);
      co_await beast_http::async_write(stream, res, kAwait);
      co_await lingering_close(stream);
      co_return;
    }
    const std::size_t body_limit = body_limit_for(parser.get().target());
    if (auto declared = parser.content_length(); declared && *declared > body_limit) {
      auto res = problem_response(too_large(body_limit), parser.get().version(), false);
      metrics.record_request("unmatched", std::string(parser.get().method_string()), 413, 0);
      co_await beast_http::async_write(stream, res, kAwait);
      co_await lingering_close(stream);
      co_return;
    }
    parser.body_limit(body_limit);
    std::string request_id;
    if (auto it = parser.get().find("X-Request-Id");
        it != parser.get().end() && valid_request_id(it->value()))
      request_id = std::string(it->value());
    else
      request_id = next_request_id();

    stream.expires_after(std::chrono::seconds(options.request_timeout_seconds));
    auto [body_ec, m] = co_await beast_http::async_read(stream, buffer, parser, kAwait);
    if (body_ec) {
      if (body_ec != beast_http::error::body_limit) break;
      // A chunked body that grew past the limit.
      auto res = problem_response(too_large(body_limit), parser.get().version(), false);
      res.set("X-Request-Id", request_id);
      metrics.record_request("unmatched", std::string(parser.get().method_string()), 413, 0);
      co_await beast_http::async_write(stream, res, kAwait);
      co_await lingering_close(stream);
      co_return;
    }
    Request req = parser.release();
    std::shared_ptr<BodySource> body_source;
    Response res = co_await dispatch(req, remote, request_id, body_source);
    if (stopping) res.keep_alive(false);
    bool keep_alive = res.keep_alive();
    if (body_source) {  // a streamed answer (the account export)
      if (!co_await write_streamed(stream, res, *body_source, options.request_timeout_seconds))
        break;
      continue;
    }
    auto [write_ec, w] = co_await beast_http::async_write(stream, res, kAwait);
    if (write_ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<Response> Server::Impl::dispatch(const Request& req, const std::string& remote,
                                                 const std::string& request_id,
                                                 std::shared_ptr<BodySource>& body_source) {
  auto start = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  std::optional<Response> res;
  try {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) {
      res = problem_response(Error::make(ErrorKind::bad_request, "invalid request target"),
                             req.version(), req.keep_alive());
    } else if (auto match = router.match(req.method(), url->encoded_path()); !match) {
      res = problem_response(
          Error::make(ErrorKind::not_found, "no resource at " + std::string(url->path())),
          req.version(), req.keep_alive());
    } else if (!match->handler) {
      res = problem_response(Error::make(ErrorKind::method_not_allowed,
                                         std::string(req.method_string()) +
                                             " is not allowed here; use " + match->allowed),
                             req.version(), req.keep_alive());
      res->set(beast_http::field::allow, match->allowed);
    } else {
      route = match->route;
      RequestContext ctx{req, *url, std::move(match->params), request_id, remote, route};
      res = co_await (*match->handler)(ctx);
      body_source = std::move(ctx.body_source);
    }
  } catch (const std::exception& e) {
    spdlog::error("[{}] {} {} failed: {}", request_id, std::string(req.method_string()),
                  std::string(req.target()), e.what());
    res = problem_response(
        Error::make(ErrorKind::internal, "internal error; request id " + request_id), req.version(),
        req.keep_alive());
  }
  res->set("X-Request-Id", request_id);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = res->result_int();
  metrics.record_request(route, std::string(req.method_string()), status, seconds);
  if (status >= 500)
    spdlog::warn("[{}] {} {} -> {} in {:.1f} ms", request_id, std::string(req.method_string()),
                 std::string(req.target()), status, seconds * 1000);
  else
    spdlog::debug("[{}] {} {} {} -> {} in {:.1f} ms", request_id, remote,
                  std::string(req.method_string()), std::string(req.target()), status,
                  seconds * 1000);
  co_return std::move(*res);
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  spdlog::info("stopping: no new connections; finishing {} open ones", active.load());
  asio::post(slots[0]->ioc, [this] {
    beast::error_code ec;
    acceptor->close(ec);
  });
  // Idle keep-alive connections are closed now; busy ones close after their response.
  for (auto& slot : slots)
    asio::post(slot->ioc, [s = slot.get()] {
      for (auto* state : s->sessions)
        if (state->idle) state->stream->cancel();
    });
}

Server::Server(ServerOptions options, const Router& router, ops::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, active_)) {}

Server::~Server() = default;

unsigned short Server::bind() {
  auto& ioc = impl_->slots[0]->ioc;
  tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
  impl_->acceptor = std::make_unique<tcp::acceptor>(ioc);
  impl_->acceptor->open(endpoint.protocol());
  impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor->bind(endpoint);
  impl_->acceptor->listen(asio::socket_base::max_listen_connections);
  return impl_->acceptor->local_endpoint().port();
}

void Server::request_stop() {
  impl_->begin_stop();
}

void Server::run(std::function<void()> on_drained) {
  auto& main = impl_->slots[0]->ioc;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& slot : impl_->slots) guards.push_back(asio::make_work_guard(slot->ioc));

  asio::signal_set signals(main, SIGINT, SIGTERM);
  signals.async_wait([this](const beast::error_code& ec, int sig) {
    if (!ec) {
      spdlog::info("received signal {}", sig);
      impl_->begin_stop();
    }
  });
  asio::co_spawn(main, impl_->accept_loop(), asio::detached);

  // Watches for the stop, then waits for connections to finish (up to the grace period).
  asio::co_spawn(
      main,
      [this, &guards]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        while (!impl_->stopping) {
          timer.expires_after(100ms);
          co_await timer.async_wait(kAwait);
        }
        auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(impl_->options.shutdown_grace_seconds);
        while (active_ > 0 && std::chrono::steady_clock::now() < deadline) {
          timer.expires_after(20ms);
          co_await timer.async_wait(kAwait);
        }
        if (active_ > 0) spdlog::warn("grace period over; closing {} connections", active_.load());
        for (auto& g : guards) g.reset();
        for (auto& slot : impl_->slots) slot->ioc.stop();
      },
      asio::detached);

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->slots.size(); ++i)
    threads.emplace_back([s = impl_->slots[i].get()] { s->ioc.run(); });
  main.run();
  for (auto& t : threads) t.join();
  signals.cancel();
  if (on_drained) on_drained();
}

}  // namespace todo::http
