// An HTTP/1.1 request as the server reads it (http/session.cpp): Beast's parser over the raw
// bytes, then our own rules on what it parsed — the header checks (http/request_rules.hpp),
// the target, the route match, the JSON body (http/json_body.hpp), the conditional headers
// (http/conditional.hpp), Accept-Encoding (http/content_coding.hpp), X-Forwarded-For and
// X-Forwarded-Proto behind a trusted proxy (http/client_address.hpp) and the Dapr app token
// (bus/dapr/app_token.hpp).
// Invariants: every refusal is a 4xx (or 501 for a method or coding nobody implements), never
// a 500; a parsed target has an absolute path; route parameters are never empty; an HTTP date
// we accept formats back to the same instant; the client address is an IP address in
// canonical form; the forwarded scheme is "", "http" or "https".
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>
#include <string>

#include "bus/dapr/app_token.hpp"
#include "fuzz_support.hpp"
#include "http/client_address.hpp"
#include "http/conditional.hpp"
#include "http/content_coding.hpp"
#include "http/json_body.hpp"
#include "http/request_rules.hpp"
#include "http/router.hpp"

using namespace todo;
using namespace todo::http;
namespace asio = boost::asio;

namespace {

constexpr std::int64_t kNow = 1'790'000'000;  // seconds

Handler noop() {
  return [](RequestContext&) -> asio::awaitable<Response> { co_return Response{}; };
}

// A few of the service's routes, with the same pattern syntax.
const Router& router() {
  static const Router r = [] {
    Router r;
    using beast_http::verb;
    r.add(verb::get, "/healthz", noop());
    r.add(verb::get, "/api/{user_id}/tasks", noop());
    r.add(verb::post, "/api/{user_id}/tasks", noop());
    r.add(verb::get, "/api/{user_id}/tasks/{id}", noop());
    r.add(verb::put, "/api/{user_id}/tasks/{id}", noop());
    r.add(verb::patch, "/api/{user_id}/tasks/{id}", noop());
    r.add(verb::delete_, "/api/{user_id}/tasks/{id}", noop());
    r.add(verb::patch, "/api/{user_id}/tasks/{id}/complete", noop());
    r.add(verb::post, "/mcp", noop());
    return r;
  }();
  return r;
}

std::vector<std::string_view> field_values(const Request& req, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& f : req)
    if (boost::beast::iequals(f.name_string(), name)) values.push_back(f.value());
  return values;
}

void check_refusal(const Error& e) {
  FUZZ_CHECK(fuzz::is_client_error(e));
}

void check_parsed(const Request& req) {
  if (auto url = parse_target(req.target()); url) {
    // An absolute-form target may have an empty path ("http://host?x"): routed as "/".
    const std::string_view path = url->encoded_path();
    FUZZ_CHECK(path.empty() || path.starts_with('/'));
    if (path.empty()) {
      auto as_root = router().match(req.method(), "/");
      auto as_empty = router().match(req.method(), path);
      FUZZ_CHECK(as_root.has_value() == as_empty.has_value());
    }
    if (auto match = router().match(req.method(), url->encoded_path())) {
      for (const auto& [name, value] : match->params) FUZZ_CHECK(!value.empty());
      if (!match->handler) FUZZ_CHECK(!match->allowed.empty());
    }
  } else {
    check_refusal(url.error());
  }

  if (auto body = parse_optional_json_body(req); !body) check_refusal(body.error());
  if (auto body = parse_json_body(req); !body) check_refusal(body.error());

  if (auto pre = read_preconditions(req, kNow); !pre) {
    check_refusal(pre.error());
  } else {
    PreconditionResult verdict = evaluate_preconditions(*pre, "\"v1\"", kNow - 60);
    (void)verdict;
  }
  for (auto name : {"If-Match", "If-None-Match"})
    for (auto value : field_values(req, name)) (void)parse_entity_tags(value);
  for (auto name : {"If-Modified-Since", "If-Unmodified-Since"}) {
    for (auto value : field_values(req, name)) {
      if (auto t = parse_http_date(value, kNow)) {
        FUZZ_CHECK(parse_http_date(format_http_date(*t), kNow) == t);
      }
    }
  }
  for (auto value : field_values(req, "Accept-Encoding")) (void)accepts_gzip(value);

  static const TrustedProxies trusted = *TrustedProxies::parse("10.0.0.0/8, ::1, fd00::/8");
  const auto peer = asio::ip::make_address("10.0.0.7");
  const std::string client = client_address(peer, field_values(req, "X-Forwarded-For"), trusted);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(client, ec);
  FUZZ_CHECK(!ec && canonical(address).to_string() == client);
  const std::string proto = forwarded_proto(field_values(req, "X-Forwarded-Proto"));
  FUZZ_CHECK(proto.empty() || proto == "http" || proto == "https");
  for (auto value : field_values(req, "X-Trusted-Proxies")) {  // the option's syntax
    if (auto parsed = TrustedProxies::parse(value); !parsed) check_refusal(parsed.error());
  }
  (void)bus::dapr::app_token_matches(req, "app-token");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(1 << 20);
  boost::beast::error_code ec;
  std::size_t used = 0;
  const auto* bytes = data;
  std::size_t left = size;
  // As the session does: the header first, our checks, then the body.
  while (left > 0 && !parser.is_header_done()) {
    used = parser.put(asio::buffer(bytes, left), ec);
    if (ec == beast_http::error::need_more) break;
    if (ec) {
      if (ec == beast_http::error::header_limit)
        check_refusal(header_too_large(parser.get().target()));
      return 0;
    }
    bytes += used;
    left -= used;
    if (used == 0) break;
  }
  if (!parser.is_header_done()) return 0;
  std::optional<std::uint64_t> length;
  if (auto cl = parser.content_length()) length = *cl;
  HeaderVerdict verdict = check_request_header(parser.get(), parser.chunked(), length, router());
  if (verdict.refuse) {
    check_refusal(*verdict.refuse);
    return 0;
  }
  while (left > 0 && !parser.is_done()) {
    used = parser.put(asio::buffer(bytes, left), ec);
    if (ec && ec != beast_http::error::need_more) return 0;
    bytes += used;
    left -= used;
    if (used == 0) break;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  check_parsed(parser.get());
  return 0;
}
