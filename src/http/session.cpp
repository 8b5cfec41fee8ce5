// One connection's requests: read, check (request_rules), dispatch to the router, finish
// (response_rules) and write; or hand the connection to a stream (stream_writer).

#include <boost/url/parse.hpp>
#include <chrono>
#include <optional>

#include "core/log.hpp"
#include "http/body_stream.hpp"
#include "http/client_address.hpp"
#include "http/problem.hpp"
#include "http/request_rules.hpp"
#include "http/response_rules.hpp"
#include "http/server_impl.hpp"
#include "http/stream_writer.hpp"

namespace todo::http {
namespace {

Error too_large(std::size_t limit) {
  return Error::make(ErrorKind::payload_too_large,
                     "the request body exceeds the limit of " + std::to_string(limit) + " bytes");
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// Answers `error` without reading (the rest of) the request, then closes: the framing of
// what follows is unknown or untrusted (RFC 9112 §6.3, §9.6).
asio::awaitable<void> refuse(beast::tcp_stream& stream, ops::Metrics& metrics, const Error& error,
                             std::string method, const std::string& request_id = {}) {
  auto res = problem_response(error, 11, false);
  add_common_headers(res);
  if (!request_id.empty()) res.set("X-Request-Id", request_id);
  metrics.record_request("unmatched", method, res.result_int(), 0);
  co_await beast_http::async_write(stream, res, kAwait);
  co_await lingering_close(stream);
}

bool connection_ended(const beast::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof;
}

}  // namespace

asio::awaitable<void> Server::Impl::session(tcp::socket socket, Slot& slot,
                                            asio::ip::address peer) {
  beast::tcp_stream stream(std::move(socket));
  SessionState state{.stream = &stream, .idle = true};
  slot.sessions.push_front(&state);
  struct Unregister {
    std::list<SessionState*>& list;
    std::list<SessionState*>::iterator it;
    SessionState& state;
    ~Unregister() {
      // A frame destroyed without finishing its stream (the io_context went away).
      if (state.stream_opened) StreamWriter::finish(*state.stream_opened, StreamEnd::server_stop);
      list.erase(it);
    }
  } unregister{slot.sessions, slot.sessions.begin(), state};

  // X-Forwarded-For is read only on connections from a trusted proxy.
  const bool behind_proxy = options.trusted_proxies.contains(peer);
  const std::string peer_text = peer.to_string();
  beast::flat_buffer buffer;
  // Beast reads at most the buffer's free capacity at a time (512 bytes at first): a request
  // with a bearer token and a JSON body is ~600 bytes, which would then take two reads, each a
  // recvmsg and a trip through the reactor. 4 KiB holds a typical request in one.
  buffer.reserve(kFirstReadBytes);
  state.buffer = &buffer;
  bool first = true;
  // Once stopping, a request already arriving is still served (then the connection closes).
  while (!stopping || request_begun(state)) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
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
      if (connection_ended(read_ec)) break;
      // Beast refuses Content-Length beside Transfer-Encoding and conflicting
      // Content-Lengths here (RFC 9112 §6.3: 400 and close); a declared Content-Length
      // over every limit fails here too.
      Error e =
          read_ec == beast_http::error::body_limit ? too_large(largest_body_limit)
          : read_ec == beast_http::error::header_limit
              ? header_too_large(parser.get().target())
              : Error::make(ErrorKind::bad_request, "malformed HTTP request: " + read_ec.message());
      co_await refuse(stream, metrics, e, "?");
      co_return;
    }
    const auto& header = parser.get();
    std::string method(header.method_string());
    std::optional<std::uint64_t> content_length;
    if (auto declared = parser.content_length()) content_length = *declared;
    HeaderVerdict verdict = check_request_header(header, parser.chunked(), content_length, router);
    if (verdict.refuse) {
      co_await refuse(stream, metrics, *verdict.refuse, method);
      co_return;
    }
    const std::size_t body_limit = body_limit_for(header.target());
    if (auto declared = parser.content_length(); declared && *declared > body_limit) {
      // Refused before any 100 Continue: the client never sends the body (RFC 9110 §10.1.1).
      co_await refuse(stream, metrics, too_large(body_limit), method);
      co_return;
    }
    parser.body_limit(body_limit);
    std::string request_id;
    if (auto it = header.find("X-Request-Id"); it != header.end() && valid_request_id(it->value()))
      request_id = std::string(it->value());
    else
      request_id = next_request_id();

    stream.expires_after(std::chrono::seconds(options.request_timeout_seconds));
    // RFC 9110 §10.1.1: the client waits for 100 (Continue) before sending the body; no
    // need when some of the body is already here.
    if (verdict.send_continue && buffer.size() == 0) {
      beast_http::response<beast_http::empty_body> go_on{beast_http::status::continue_, 11};
      auto [continue_ec, c] = co_await beast_http::async_write(stream, go_on, kAwait);
      if (continue_ec) break;
    }
    auto [body_ec, m] = co_await beast_http::async_read(stream, buffer, parser, kAwait);
    if (body_ec) {
      // A client gone or too slow (the request timeout) gets no answer: its request never
      // arrived whole.
      if (connection_ended(body_ec) || body_ec == beast_http::error::partial_message) break;
      // A chunked body that grew past the limit: 413; one that breaks the chunked framing
      // (a chunk size that is not hex or overflows, a bad chunk extension or trailer): 400,
      // as a malformed header is (RFC 9112 §7.1); then the connection closes.
      Error e = body_ec == beast_http::error::body_limit
                    ? too_large(body_limit)
                    : Error::make(ErrorKind::bad_request,
                                  "malformed HTTP request body: " + body_ec.message());
      co_await refuse(stream, metrics, e, method, request_id);
      co_return;
    }
    Request req = parser.release();
    std::string remote = peer_text;
    std::string proto;
    if (behind_proxy) {
      std::vector<std::string_view> forwarded, protos;
      for (const auto& f : req) {
        if (beast::iequals(f.name_string(), "X-Forwarded-For")) forwarded.push_back(f.value());
        if (beast::iequals(f.name_string(), "X-Forwarded-Proto")) protos.push_back(f.value());
      }
      remote = client_address(peer, forwarded, options.trusted_proxies);
      proto = forwarded_proto(protos);
    }
    Response res = co_await dispatch(req, remote, std::move(proto), request_id, state);
    if (auto opened = std::exchange(state.stream_opened, nullptr)) {
      if (!opened->ended()) {
        // The connection belongs to the stream from now on, until the stream ends; it reads no
        // further request, so its read buffer goes (an idle stream is ~11 KiB without it).
        buffer.clear();
        buffer.shrink_to_fit();
        add_common_headers(res);
        state.stream_opened = opened;
        co_await StreamWriter::run(stream, std::move(res), opened, stopping);
        state.stream_opened.reset();
        co_return;
      }
    }
    if (auto source = std::exchange(state.body_source, nullptr)) {  // e.g. the account export
      add_common_headers(res);
      if (stopping) res.keep_alive(false);
      if (!co_await write_streamed(stream, res, *source, options.request_timeout_seconds)) break;
      continue;
    }
    finish_response(req, res);
    if (stopping) res.keep_alive(false);
    bool keep_alive = res.keep_alive();
    auto [write_ec, w] = co_await beast_http::async_write(stream, res, kAwait);
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

std::shared_ptr<Stream> Server::Impl::open_stream(StreamOptions stream_options,
                                                  SessionState& state) {
  auto stream = std::make_shared<Stream>(std::move(stream_options));
  if (state.stream_opened) {  // one stream per request
    StreamWriter::finish(*stream, StreamEnd::refused);
    return stream;
  }
  state.stream_opened = stream;
  if (open_streams->fetch_add(1) >= options.max_streams) {
    open_streams->fetch_sub(1);
    state.stream_over_cap = true;
    count_stream_end(StreamEnd::refused);
    StreamWriter::finish(*stream, StreamEnd::refused);
    return stream;
  }
  // Runs inside Stream::finish, while the stream is alive: a raw pointer is enough.
  stream->on_close([this, count = open_streams, raw = stream.get()] {
    count->fetch_sub(1);
    count_stream_end(raw->end_reason().value_or(StreamEnd::closed));
  });
  // A stop that began before this stream existed ends it at once (flushed, head sent).
  if (stopping) StreamWriter::end(*stream, StreamEnd::server_stop);
  return stream;
}

asio::awaitable<Response> Server::Impl::dispatch(const Request& req, const std::string& remote,
                                                 std::string forwarded_proto,
                                                 const std::string& request_id,
                                                 SessionState& state) {
  auto start = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  std::optional<Response> res;
  state.stream_over_cap = false;
  try {
    auto url = parse_target(req.target());
    if (!url) {
      res = problem_response(url.error(), req.version(), req.keep_alive());
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
      ctx.forwarded_proto = std::move(forwarded_proto);
      ctx.stream_opener = [this, &state](StreamOptions o) {
        return open_stream(std::move(o), state);
      };
      res = co_await (*match->handler)(ctx);
      if (ctx.body_source && res->result_int() / 100 == 2) state.body_source = ctx.body_source;
    }
  } catch (const std::exception& e) {
    log::error("[{}] {} {} failed: {}", request_id, std::string(req.method_string()),
               std::string(req.target()), e.what());
    res = problem_response(
        Error::make(ErrorKind::internal, "internal error; request id " + request_id), req.version(),
        req.keep_alive());
  }
  if (state.stream_opened) {
    if (state.stream_over_cap) {
      Error e = Error::make(ErrorKind::unavailable, "too many open streams; retry shortly");
      e.retry_after_seconds = 1;
      res = problem_response(e, req.version(), req.keep_alive());
    } else if (res->result_int() / 100 != 2) {
      StreamWriter::finish(*state.stream_opened, StreamEnd::refused);
    }
  }
  res->set("X-Request-Id", request_id);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = res->result_int();
  metrics.record_request(route, std::string(req.method_string()), status, seconds);
  if (status >= 500)
    log::warn("[{}] {} {} -> {} in {:.1f} ms", request_id, std::string(req.method_string()),
              std::string(req.target()), status, seconds * 1000);
  else
    log::debug("[{}] {} {} {} -> {} in {:.1f} ms", request_id, remote,
               std::string(req.method_string()), std::string(req.target()), status, seconds * 1000);
  co_return std::move(*res);
}

}  // namespace todo::http
