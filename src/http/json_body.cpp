#include "http/json_body.hpp"

#include <boost/json/parse.hpp>

namespace todo::http {
namespace {

bool is_json_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" ||
         (lower.starts_with("application/") && lower.ends_with("+json"));
}

}  // namespace

Result<boost::json::value> parse_json_body(const Request& request) {
  auto ct = request.find(beast_http::field::content_type);
  if (ct == request.end() || !is_json_content_type(ct->value()))
    return Error::make(ErrorKind::unsupported_media_type,
                       "the request body must be sent as Content-Type: application/json");
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  // Boost.JSON validates UTF-8 in strings; invalid bytes are a parse error here.
  auto value = boost::json::parse(request.body(), ec, {}, options);
  if (ec)
    return Error::field(ErrorKind::bad_request, "body", "is not valid JSON (" + ec.message() + ")");
  return value;
}

Result<boost::json::value> parse_optional_json_body(const Request& request) {
  if (request.body().empty()) return boost::json::value(nullptr);
  return parse_json_body(request);
}

}  // namespace todo::http
