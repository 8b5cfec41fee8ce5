#include "bus/dapr/sidecar_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace todo::bus::dapr {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

SidecarClient::SidecarClient(std::string host, int port, std::chrono::milliseconds timeout,
                             std::string api_token)
    : host_(std::move(host)), port_(port), timeout_(timeout), api_token_(std::move(api_token)) {}

void SidecarClient::close() {
  if (stream_) {
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.reset();
  }
}

SidecarResponse SidecarClient::post(const std::string& target, const std::string& content_type,
                                    const std::string& body) {
  return call(true, target, content_type, body);
}

SidecarResponse SidecarClient::get(const std::string& target) {
  return call(false, target, {}, {});
}

SidecarResponse SidecarClient::call(bool post, const std::string& target,
                                    const std::string& content_type, const std::string& body) {
  bool reused = stream_.has_value();
  SidecarResponse r = attempt(post, target, content_type, body);
  // The sidecar may have closed an idle kept-alive connection: one retry on a fresh one.
  // (Should the first attempt have reached it after all, the event is published twice;
  // consumers dedupe on the event id.)
  if (r.status == 0 && reused) r = attempt(post, target, content_type, body);
  return r;
}

// The calls are asynchronous only so that tcp_stream's deadline applies; io_.run() waits
// for each step on this thread.
SidecarResponse SidecarClient::attempt(bool post, const std::string& target,
                                       const std::string& content_type, const std::string& body) {
  beast::error_code ec;
  auto step = [&](auto&& start) {
    io_.restart();
    start();
    io_.run();
  };
  if (!stream_) {
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) return {0, "resolving " + host_ + ": " + ec.message()};
    stream_.emplace(io_);
    stream_->expires_after(timeout_);
    step([&] { stream_->async_connect(endpoints, [&](beast::error_code e, auto&&) { ec = e; }); });
    if (ec) {
      close();
      return {0, "connecting to the sidecar at " + host_ + ":" + std::to_string(port_) + ": " +
                     ec.message()};
    }
  }
  http::request<http::string_body> req{post ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, host_);
  if (post) req.set(http::field::content_type, content_type);
  if (!api_token_.empty()) req.set("dapr-api-token", api_token_);
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  stream_->expires_after(timeout_);
  step(
      [&] { http::async_write(*stream_, req, [&](beast::error_code e, std::size_t) { ec = e; }); });
  if (ec) {
    close();
    return {0, "sending to the sidecar: " + ec.message()};
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(8 << 20);
  stream_->expires_after(timeout_);
  step([&] {
    http::async_read(*stream_, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  });
  if (ec) {
    close();
    return {0, "reading the sidecar's answer: " + ec.message()};
  }
  auto res = parser.release();
  if (!res.keep_alive()) close();
  return {int(res.result_int()), std::move(res.body())};
}

}  // namespace todo::bus::dapr
