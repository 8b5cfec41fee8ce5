#pragma once
// TestServer: a small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the HttpClient
// tests, on Beast, with keep-alive, optional TLS, and counters the tests assert on
// (connections accepted, requests seen). Its own io_context runs on its own thread; the
// handler runs there too and decides each reply, which may hang (never answer) or wait for
// a condition before answering.
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "net/http_client.hpp"

namespace todo {
// GoogleTest prints outcomes by name in failure messages.
inline void PrintTo(Outcome outcome, std::ostream* os) {
  *os << outcome_name(outcome);
}
}  // namespace todo

namespace todo::net::test {

struct SeenRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // "/path?query"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  bool hang = false;     // never answer; the connection stays open until the server stops
  // Answer as a kept-alive connection, then close it, as a server's idle timeout does: the
  // client learns of it only from the connection's end.
  bool close_after = false;
  // When set, the reply is sent only once this returns true (checked every few ms, on the
  // server's thread).
  std::function<bool()> ready;
};

class TestServer {
 public:
  using Handler = std::function<Reply(const SeenRequest&)>;

  // Plain HTTP, or HTTPS when `tls` is given (the server keeps it).
  explicit TestServer(Handler handler, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~TestServer();  // stops the thread; open connections are dropped

  std::uint16_t port() const;
  // "http://127.0.0.1:<port><path>" (https when TLS).
  std::string url(const std::string& path = "/") const;
  int accepted() const;  // TCP connections accepted
  int requests() const;  // requests read in full
  std::vector<SeenRequest> seen() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 that refuses connections for as long as this object lives: a socket
// bound to it but not listening, so that the kernel answers SYN with RST and no other test
// can take the port meanwhile.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A self-signed certificate for IP 127.0.0.1 (P-256), made with the openssl command line in a
// temporary directory that is removed with this object.
struct SelfSignedCert {
  SelfSignedCert();
  ~SelfSignedCert();
  std::string dir, cert_file, key_file;
  std::shared_ptr<boost::asio::ssl::context> server_context() const;
};

// Polls `condition` until it holds or `deadline` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace todo::net::test
