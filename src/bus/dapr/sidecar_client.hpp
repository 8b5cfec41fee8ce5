#pragma once
// SidecarClient: a blocking HTTP/1.1 client for the Dapr sidecar's API, used from one
// relay thread. It keeps one keep-alive connection and reconnects when it breaks. Every
// call is bounded by `timeout` (connect, write and read each); a timeout or a refused
// connection comes back as status 0 with the reason, never as an exception.
// Sends `dapr-api-token` when DAPR_API_TOKEN is configured.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace todo::bus::dapr {

struct SidecarResponse {
  int status = 0;    // 0: no HTTP answer (refused, reset, timed out)
  std::string body;  // the answer, or what went wrong when status is 0
};

class SidecarClient {
 public:
  SidecarClient(std::string host, int port, std::chrono::milliseconds timeout,
                std::string api_token);

  SidecarResponse post(const std::string& target, const std::string& content_type,
                       const std::string& body);
  SidecarResponse get(const std::string& target);

 private:
  SidecarResponse call(bool post, const std::string& target, const std::string& content_type,
                       const std::string& body);
  SidecarResponse attempt(bool post, const std::string& target, const std::string& content_type,
                          const std::string& body);
  void close();

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  std::string api_token_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;  // engaged while connected
};

}  // namespace todo::bus::dapr
