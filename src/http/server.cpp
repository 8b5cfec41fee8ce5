#include "http/server.hpp"

#include <array>
#include <chrono>
#include <thread>

#include "core/log.hpp"
#include "core/random.hpp"
#include "http/body_stream.hpp"
#include "http/problem.hpp"
#include "http/response_rules.hpp"
#include "http/server_impl.hpp"
#include "http/stream_writer.hpp"

namespace todo::http {

using namespace std::chrono_literals;

asio::awaitable<void> lingering_close(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(2s);
  std::array<char, std::size_t{16} << 10> scratch;
  std::size_t discarded = 0;
  while (discarded < (64u << 20)) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAwait);
    if (read_ec) break;
    discarded += n;
  }
  stream.socket().close(ec);
}

bool request_begun(const SessionState& state) {
  beast::error_code ec;
  return (state.buffer && state.buffer->size() > 0) || state.stream->socket().available(ec) > 0;
}

Server::Impl::Impl(ServerOptions o, const Router& r, ops::Metrics& m, std::atomic<int>& a)
    : options(std::move(o)), router(r), metrics(m), active(a), id_prefix(random_hex(4)) {
  int n = std::max(1, options.io_threads);
  for (int i = 0; i < n; ++i) slots.push_back(std::make_unique<Slot>());
  largest_body_limit = options.max_body_bytes;
  for (const auto& rule : options.body_limit_rules)
    largest_body_limit = std::max(largest_body_limit, rule.max_body_bytes);
  metrics.add_gauge("todo_http_open_streams", "Streaming responses (SSE) open now.",
                    [count = open_streams] { return double(count->load()); });
  metrics.describe("todo_http_streams_closed_total", "counter",
                   "Streaming responses ended, by reason (closed, client_gone, overflow, "
                   "write_timeout, server_stop, refused).");
}

std::size_t Server::Impl::body_limit_for(std::string_view target) const {
  for (const auto& rule : options.body_limit_rules)
    if (target.starts_with(rule.path_prefix)) return rule.max_body_bytes;
  return options.max_body_bytes;
}

bool Server::Impl::admit(const std::string& address) {
  std::lock_guard lock(per_address_mutex);
  int& open = per_address[address];
  if (open >= options.max_connections_per_address) {
    if (open == 0) per_address.erase(address);
    return false;
  }
  ++open;
  return true;
}

void Server::Impl::release(const std::string& address) {
  std::lock_guard lock(per_address_mutex);
  auto it = per_address.find(address);
  if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
}

void Server::Impl::count_stream_end(StreamEnd reason) {
  metrics.add("todo_http_streams_closed_total", "reason=\"" + std::string(to_string(reason)) + "\"",
              1);
}

asio::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping) {
    Slot& slot = *slots[next_slot++ % slots.size()];
    auto [ec, socket] = co_await acceptor->async_accept(slot.ioc, kAwait);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: back off briefly instead of spinning.
      log::warn("accept failed: {}", ec.message());
      asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
      co_await t.async_wait(kAwait);
      continue;
    }
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) continue;  // already gone; the socket closes here
    socket.set_option(tcp::no_delay(true), ec);
    auto peer = canonical(endpoint.address());
    if (active >= options.max_connections) {
      asio::co_spawn(slot.ioc, reject(std::move(socket), "too many open connections"),
                     asio::detached);
      continue;
    }
    // Connections through a trusted proxy belong to many clients: no per-address cap.
    std::string capped = options.trusted_proxies.contains(peer) ? "" : peer.to_string();
    if (!capped.empty() && !admit(capped)) {
      asio::co_spawn(slot.ioc, reject(std::move(socket), "too many connections from " + capped),
                     asio::detached);
      continue;
    }
    ++active;
    asio::co_spawn(slot.ioc, session(std::move(socket), slot, peer),
                   [this, capped](const std::exception_ptr& e) {
                     if (!capped.empty()) release(capped);
                     --active;
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         log::error("connection ended by an exception: {}", ex.what());
                       }
                     }
                   });
  }
}

asio::awaitable<void> Server::Impl::reject(tcp::socket socket, std::string detail) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(2s);
  Error e = Error::make(ErrorKind::unavailable, detail + "; retry shortly");
  e.retry_after_seconds = 1;
  auto res = problem_response(e, 11, false);
  add_common_headers(res);
  auto [ec, n] = co_await beast_http::async_write(stream, res, kAwait);
  if (!ec) co_await lingering_close(stream);
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  log::info("stopping: no new connections; finishing {} open ones ({} streams)", active.load(),
            open_streams->load());
  asio::post(slots[0]->ioc, [this] {
    beast::error_code ec;
    acceptor->close(ec);
  });
  // Idle keep-alive connections are closed now, streams end now (flushed, final chunk);
  // busy ones close after their response, and so do idle ones whose next request has begun
  // to arrive.
  for (auto& slot : slots)
    asio::post(slot->ioc, [s = slot.get()] {
      for (auto* state : s->sessions) {
        if (state->stream_opened) StreamWriter::end(*state->stream_opened, StreamEnd::server_stop);
        if (state->idle && !request_begun(*state)) state->stream->cancel();
      }
    });
}

Server::Server(ServerOptions options, const Router& router, ops::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, active_)) {}

Server::~Server() = default;

int Server::open_streams() const {
  return impl_->open_streams->load();
}

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

void Server::run(const std::function<void()>& on_drained) {
  auto& main = impl_->slots[0]->ioc;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& slot : impl_->slots) guards.push_back(asio::make_work_guard(slot->ioc));

  asio::signal_set signals(main, SIGINT, SIGTERM);
  signals.async_wait([this](const beast::error_code& ec, int sig) {
    if (!ec) {
      log::info("received signal {}", sig);
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
        if (active_ > 0) log::warn("grace period over; closing {} connections", active_.load());
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
  // Streams of connections the grace period cut short end here, now that no I/O thread
  // runs: their producers learn it (on_close) before run() returns.
  for (auto& slot : impl_->slots)
    for (auto* state : slot->sessions)
      if (state->stream_opened) StreamWriter::finish(*state->stream_opened, StreamEnd::server_stop);
  if (on_drained) on_drained();
}

}  // namespace todo::http
