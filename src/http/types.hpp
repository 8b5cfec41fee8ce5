#pragma once
// The request/response types every handler sees.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/url_view.hpp>
#include <functional>
#include <map>
#include <string>

namespace todo::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

struct RequestContext {
  const Request& request;
  boost::urls::url_view url;                       // parsed target (path + query)
  std::map<std::string, std::string> path_params;  // from "{name}" segments of the route
  std::string request_id;
  std::string remote_address;
  std::string route;  // the matched pattern, for metrics and logs

  const std::string& param(const std::string& name) const { return path_params.at(name); }
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace todo::http
