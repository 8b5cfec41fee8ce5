#pragma once
// Server: Boost.Beast HTTP/1.1 on C++20 coroutines.
//
// Threading: one io_context per I/O thread, each run by exactly one thread; the acceptor
// lives on the first and hands each connection to the next context round-robin, so a
// connection's coroutine and its socket only ever run on one thread (no strands needed).
// Handlers must not block: database work goes to storage::Database threads.
//
// Defences: header size limit (16 KiB: 431; request target 8 KiB: 414), body limit,
// header/request/idle timeouts, a cap on open connections and one per client address
// (past either, new connections get 503 and are closed), a cap on open streams.
//
// Protocol (RFC 9110/9112, details in request_rules.cpp and response_rules.cpp): Host,
// framing and Expect checks before the body is read (100 Continue sent when asked),
// absolute-form targets, 501 for methods no route has, HEAD from GET routes, Date and
// X-Content-Type-Options: nosniff on every response, gzip for large JSON answers.
//
// Streaming responses (stream.hpp): a handler may open a stream; the server then writes
// the head and the body as the producer pushes it, on the connection's thread.
//
// Lifecycle: run() blocks until SIGINT/SIGTERM (or request_stop()); then it stops
// accepting, closes idle keep-alive connections, ends every open stream (what is queued is
// flushed, then the final chunk), lets in-flight requests finish (up to the grace period),
// calls on_drained (the owner stops the database there, committing the batch in hand),
// and returns. Every stream has ended (on_close ran) when run() returns.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/client_address.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"

namespace todo::http {

// A larger body limit for the paths under one prefix (the Dapr sidecar's bulk deliveries
// carry up to a hundred events; clients' requests keep max_body_bytes).
struct BodyLimitRule {
  std::string path_prefix;
  std::size_t max_body_bytes = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;
  std::size_t max_body_bytes = std::size_t{1} << 20;
  std::vector<BodyLimitRule> body_limit_rules;
  int max_connections = 10000;
  // One client address may hold at most this many connections (trusted proxies are
  // exempt: many clients arrive through them).
  int max_connections_per_address = 256;
  // Peers whose X-Forwarded-For names the client (RequestContext::remote_address).
  TrustedProxies trusted_proxies;
  // Open streaming responses at most; past it open_stream() is refused with a 503.
  int max_streams = 10000;
  int header_timeout_seconds = 10;
  int request_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int shutdown_grace_seconds = 10;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, ops::Metrics& metrics);
  ~Server();

  // Binds now, so that a taken port fails before anything else starts. Returns the port
  // (useful when 0 was asked for).
  unsigned short bind();
  void run(const std::function<void()>& on_drained);
  void request_stop();
  int active_connections() const { return active_; }
  int open_streams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> active_{0};
};

}  // namespace todo::http
