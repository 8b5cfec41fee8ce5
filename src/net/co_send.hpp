#pragma once
// co_send: the coroutine face of HttpClient, for Boost.Asio coroutines (handlers, workers).
//
//   net::Request req{.method = net::Method::post, .url = url, .body = std::move(json)};
//   net::Response res = co_await net::co_send(client, req);  // req is moved from
//
// The request goes to the client's worker thread; the coroutine is resumed through its own
// executor (the io_context thread or the strand it runs on), never on the worker, and the
// awaiting thread is never blocked. While the request is outstanding the executor counts it
// as work, so io_context::run() does not return under it.
//
// Takes the request by lvalue reference, on purpose: g++ 12 relocates non-trivial
// temporaries of a co_await expression bitwise, which corrupts std::strings (SSO) inside
// them — `co_await co_send(client, Request{...})` would hand curl a broken URL. A named
// local lives in the coroutine frame and is safe, and a temporary does not compile here.
// The same reason makes only a shared_ptr cross asio's frames inside (see storage/await.hpp).
//
// Outcomes are HttpClient's (see http_client.hpp): every call resumes with a Response, never
// an exception. Asio cancellation (e.g. awaitable operators) is not supported: the request's
// timeout bounds the wait. The client must outlive the call, and the io_context must not be
// destroyed while calls on it are outstanding.
#include <boost/asio/awaitable.hpp>

#include "net/http_client.hpp"

namespace todo::net {

boost::asio::awaitable<Response> co_send(HttpClient& client, Request& request);

}  // namespace todo::net
