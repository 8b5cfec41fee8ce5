// The reference file of issue 15's first-build ratio: one coroutine HTTP session with Asio,
// Beast and JSON. bench/first_build/measure.sh compiles it (g++ -std=c++20 -O2 -g -c) beside a
// cold build of the binary. Not part of the project's build.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <iostream>
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

asio::awaitable<void> session(tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, asio::use_awaitable);
    json::value body = json::parse(req.body().empty() ? "{}" : req.body());
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = json::serialize(body);
    res.prepare_payload();
    res.keep_alive(req.keep_alive());
    co_await http::async_write(socket, res, asio::use_awaitable);
    if (!res.keep_alive()) break;
  }
}

asio::awaitable<void> listener(tcp::acceptor acceptor) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {tcp::v4(), 18080});
  asio::co_spawn(ioc, listener(std::move(acceptor)), asio::detached);
  ioc.run();
}
