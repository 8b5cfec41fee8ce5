#pragma once
// Server internals shared by server.cpp (accepting, caps, stop) and session.cpp (one
// connection's requests). Not for use outside src/http.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/await_token.hpp"
#include "http/server.hpp"
#include "http/stream.hpp"

namespace todo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// What the stop sequence needs to know about a live connection. Only touched on the
// connection's own thread (and by run() once every I/O thread has stopped).
struct SessionState {
  beast::tcp_stream* stream = nullptr;
  const beast::flat_buffer* buffer = nullptr;  // what was read but not parsed yet
  bool idle = true;  // waiting for the next request: closed on stop unless it began (below)
  // The stream the current request opened, from open_stream() until the request ends.
  std::shared_ptr<Stream> stream_opened;
  bool stream_over_cap = false;  // open_stream() was refused by max_streams: answer 503
  // The body source of the current request's answer (RequestContext::body_source): a large
  // finite body the server pulls piece by piece (http/body_stream.hpp).
  std::shared_ptr<BodySource> body_source;
};

struct Slot {
  std::list<SessionState*> sessions;  // declared first: outlives the io_context's coroutines
  asio::io_context ioc{1};
};

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  ops::Metrics& metrics;
  std::atomic<int>& active;
  std::vector<std::unique_ptr<Slot>> slots;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> request_counter{0};
  std::string id_prefix;
  std::size_t next_slot = 0;
  std::size_t largest_body_limit;
  // Shared with the metrics gauge and the streams' on_close callbacks.
  std::shared_ptr<std::atomic<int>> open_streams = std::make_shared<std::atomic<int>>(0);
  std::mutex per_address_mutex;
  std::unordered_map<std::string, int> per_address;  // open connections by client address

  Impl(ServerOptions o, const Router& r, ops::Metrics& m, std::atomic<int>& a);

  std::size_t body_limit_for(std::string_view target) const;
  std::string next_request_id() { return id_prefix + "-" + std::to_string(++request_counter); }
  bool admit(const std::string& address);  // false: the address is at its cap
  void release(const std::string& address);

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> reject(tcp::socket socket, std::string detail);
  asio::awaitable<void> session(tcp::socket socket, Slot& slot, asio::ip::address peer);
  // `forwarded_proto`: X-Forwarded-Proto from a trusted proxy (RequestContext), or "".
  asio::awaitable<Response> dispatch(const Request& req, const std::string& remote,
                                     std::string forwarded_proto, const std::string& request_id,
                                     SessionState& state);
  std::shared_ptr<Stream> open_stream(StreamOptions options, SessionState& state);
  void count_stream_end(StreamEnd reason);
  void begin_stop();
};

// Whether a connection waiting for its next request already has (part of) one: bytes in our
// buffer or in the kernel's. Those were sent before the stop began (on loopback, before the
// signal was even sent): a request in flight, to be read and answered, not reset.
bool request_begun(const SessionState& state);

// After an error answer sent while the client may still be sending: stop sending, then
// read and discard for a moment so that the client reads our answer rather than a
// connection reset (RFC 9112 §9.6).
asio::awaitable<void> lingering_close(beast::tcp_stream& stream);

}  // namespace todo::http
