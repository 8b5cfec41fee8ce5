#pragma once
// The request/response types every handler sees.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/url_view.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/stream.hpp"

namespace todo::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// A response body made piece by piece after the header went out, for answers too big to
// hold in memory (the account export): the server sends the handler's Response header with
// `Transfer-Encoding: chunked` (RFC 9112 §7.1; HTTP/1.0: the body ends with the connection)
// and then each piece next() returns, until an empty one. An Error from next() — or a client
// that stops reading for longer than the request timeout — closes the connection without the
// last chunk, so the client sees an incomplete answer rather than a truncated document
// passing for whole. next() runs on the connection's I/O thread: it must not block (database
// work goes through storage/await.hpp).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual boost::asio::awaitable<Result<std::string>> next() = 0;
};

struct RequestContext {
  const Request& request;
  boost::urls::url_view url;                       // parsed target (path + query)
  std::map<std::string, std::string> path_params;  // from "{name}" segments of the route
  std::string request_id;
  // The client: the socket peer, or what a trusted proxy forwarded for
  // (X-Forwarded-For, http/client_address.hpp). For logs and per-address limits.
  std::string remote_address;
  std::string route;  // the matched pattern, for metrics and logs
  // X-Forwarded-Proto as a trusted proxy sent it ("https" or "http", lower case; the
  // client-facing hop's, http/client_address.hpp), or empty: the scheme the client used, for
  // the cookie CSRF check (auth/authenticate.hpp).
  std::string forwarded_proto = {};
  // Set by the server; open_stream() asks it for a stream. Unset (a context built outside
  // a server), open_stream() gives a stream that is already ended (StreamEnd::refused).
  std::function<std::shared_ptr<Stream>(StreamOptions)> stream_opener = {};
  // Set by a handler whose body is streamed (BodySource); the Response it returns then holds
  // only the status and headers.
  std::shared_ptr<BodySource> body_source = {};

  const std::string& param(const std::string& name) const { return path_params.at(name); }

  // Turns this response into a stream (stream.hpp): the handler then returns the head
  // (a 2xx status and headers, e.g. Content-Type: text/event-stream and Cache-Control:
  // no-store) and pushes the body through the returned Stream, from any thread, for as
  // long as it likes. One stream per request (a second call gives a refused stream).
  // When the server's stream cap (ServerOptions::max_streams) is reached, the returned
  // stream has already ended with StreamEnd::refused (its on_close callbacks run at once)
  // and the server answers 503 problem+json with Retry-After instead of the head. A head
  // that is not 2xx is sent as an ordinary response and the stream ends as refused.
  std::shared_ptr<Stream> open_stream(StreamOptions options = {});
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace todo::http
