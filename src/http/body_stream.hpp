#pragma once
// Writes a streamed answer (http/types.hpp BodySource): the handler's Response header, then
// each piece as one chunk (RFC 9112 §7.1: HTTP/1.1 chunked transfer coding; for an HTTP/1.0
// client, the raw pieces and the connection closes at the end).
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http/types.hpp"

namespace todo::http {

// True when the whole answer went out and the connection may be kept alive (as `head` says);
// false when the source failed, the client went away or a write took longer than
// `write_timeout_seconds`: the caller must close the connection.
boost::asio::awaitable<bool> write_streamed(boost::beast::tcp_stream& stream, const Response& head,
                                            BodySource& source, int write_timeout_seconds);

}  // namespace todo::http
