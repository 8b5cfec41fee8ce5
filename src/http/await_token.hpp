#pragma once
// The completion token of this folder's coroutines: `co_await op(..., kAwait)` gives the
// results as a tuple (error_code first) instead of throwing.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace todo::http {

inline constexpr auto kAwait = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace todo::http
