#include "net/co_send.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace todo::net {

namespace asio = boost::asio;

boost::asio::awaitable<Response> co_send(HttpClient& client, Request& request) {
  auto shared = std::make_shared<Request>(std::move(request));
  auto initiation = [&client](auto handler, const std::shared_ptr<Request>& req) {
    // A tracked executor keeps run() from returning while the worker holds the request.
    auto executor = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
    // std::function needs copyable callables; the handler is move-only.
    auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
    client.send(std::move(*req), [shared_handler, executor](Response response) {
      // On the worker thread (or in send() itself for a refusal): resume the coroutine on
      // its own executor, never inline here.
      asio::post(executor, [shared_handler, response = std::move(response)]() mutable {
        (*shared_handler)(std::move(response));
      });
    });
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      std::move(initiation), asio::use_awaitable, std::move(shared));
}

}  // namespace todo::net
