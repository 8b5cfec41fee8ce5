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
  std::string remote_address;
  std::string route;  // the matched pattern, for metrics and logs
  // Set by a handler whose body is streamed (BodySource); the Response it returns then holds
  // only the status and headers.
  std::shared_ptr<BodySource> body_source = {};

  const std::string& param(const std::string& name) const { return path_params.at(name); }
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace todo::http
