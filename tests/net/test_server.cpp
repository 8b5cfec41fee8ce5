#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace todo::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;

struct TestServer::Impl {
  Handler handler;
  std::shared_ptr<ssl::context> tls;
  asio::io_context io;  // declared first: destroyed last, after everything bound to it
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<int> accepted{0};
  std::atomic<int> requests{0};
  mutable std::mutex mutex;
  std::vector<SeenRequest> seen;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      ++accepted;
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    try {
      if (tls) {
        ssl::stream<tcp::socket> stream(std::move(socket), *tls);
        co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
        co_await serve(stream);
      } else {
        co_await serve(socket);
      }
    } catch (const std::exception&) {
      // The client closed the connection or refused our certificate: the session ends.
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      co_await http::async_read(stream, buffer, req, asio::use_awaitable);
      SeenRequest seen_request = record(req);
      Reply reply = handler(seen_request);
      asio::steady_timer timer(io);
      if (reply.hang) {
        timer.expires_at(asio::steady_timer::time_point::max());
        co_await timer.async_wait(asio::use_awaitable);
        co_return;
      }
      while (reply.ready && !reply.ready()) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
      }
      http::response<http::string_body> res;
      res.version(req.version());
      res.result(static_cast<unsigned>(reply.status));
      for (auto& [name, value] : reply.headers) res.set(name, value);
      res.body() = reply.body;
      if (reply.chunked)
        res.chunked(true);
      else
        res.prepare_payload();
      res.keep_alive(req.keep_alive());
      co_await http::async_write(stream, res, asio::use_awaitable);
      if (!res.keep_alive() || reply.close_after) co_return;
    }
  }

  SeenRequest record(const http::request<http::string_body>& req) {
    SeenRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    r.body = req.body();
    {
      std::lock_guard lock(mutex);
      seen.push_back(r);
    }
    ++requests;
    return r;
  }
};

TestServer::TestServer(Handler handler, std::shared_ptr<ssl::context> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->tls = std::move(tls);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TestServer::~TestServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t TestServer::port() const {
  return impl_->port;
}

std::string TestServer::url(const std::string& path) const {
  return std::string(impl_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port) + path;
}

int TestServer::accepted() const {
  return impl_->accepted;
}
int TestServer::requests() const {
  return impl_->requests;
}

std::vector<SeenRequest> TestServer::seen() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

RefusingPort::RefusingPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket()");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("bind()");
  port_ = ntohs(addr.sin_port);
}

RefusingPort::~RefusingPort() {
  ::close(fd_);
}

SelfSignedCert::SelfSignedCert() {
  char pattern[] = "/tmp/net-tests-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp");
  dir = pattern;
  cert_file = dir + "/cert.pem";
  key_file = dir + "/key.pem";
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
      key_file + " -out " + cert_file + " >" + dir + "/openssl.log 2>&1";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("openssl req failed (is the openssl package installed?)");
}

SelfSignedCert::~SelfSignedCert() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::shared_ptr<ssl::context> SelfSignedCert::server_context() const {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain_file(cert_file);
  ctx->use_private_key_file(key_file, ssl::context::pem);
  return ctx;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace todo::net::test
