#include "http/body_stream.hpp"
#include "core/log.hpp"
#include "http/await_token.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace todo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

asio::awaitable<bool> write_streamed(beast::tcp_stream& stream, const Response& head_in,
                                     BodySource& source, int write_timeout_seconds) {
  const bool chunked = head_in.version() >= 11;
  beast_http::response<beast_http::empty_body> head{head_in.result(), head_in.version()};
  for (const auto& field : head_in.base())
    if (field.name() != beast_http::field::content_length &&
        field.name() != beast_http::field::transfer_encoding)
      head.insert(field.name_string(), field.value());
  head.keep_alive(chunked && head_in.keep_alive());
  if (chunked) head.chunked(true);
  const auto timeout = std::chrono::seconds(write_timeout_seconds);

  beast_http::response_serializer<beast_http::empty_body> serializer{head};
  stream.expires_after(timeout);
  auto [head_ec, head_n] = co_await beast_http::async_write_header(stream, serializer, kAwait);
  if (head_ec) co_return false;
  for (;;) {
    Result<std::string> piece = co_await source.next();
    if (!piece) {
      log::warn("streamed answer aborted: {}", piece.error().detail);
      co_return false;  // no last chunk: the client sees an incomplete answer
    }
    if (piece->empty()) break;
    stream.expires_after(timeout);
    beast::error_code ec;
    if (chunked)
      std::tie(ec, std::ignore) =
          co_await asio::async_write(stream, beast_http::make_chunk(asio::buffer(*piece)), kAwait);
    else
      std::tie(ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(*piece), kAwait);
    if (ec) co_return false;
  }
  if (!chunked) co_return false;  // HTTP/1.0: the end of the connection ends the body
  stream.expires_after(timeout);
  auto [last_ec, last_n] =
      co_await asio::async_write(stream, beast_http::make_chunk_last(), kAwait);
  co_return !last_ec && head.keep_alive();
}

}  // namespace todo::http
