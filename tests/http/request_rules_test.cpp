// RFC 9110 / 9112 request rules on headers as Beast parses them.
#include "http/request_rules.hpp"

#include <gtest/gtest.h>

namespace todo::http {
namespace {

Handler noop() {
  return [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

class RequestRules : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(beast_http::verb::get, "/healthz", noop());
    router.add(beast_http::verb::post, "/api/{user_id}/tasks", noop());
  }
  // The verdict for a raw header section.
  HeaderVerdict check(const std::string& raw) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);  // as the server sets it
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(raw), ec);
    EXPECT_TRUE(parser.is_header_done()) << raw.substr(0, 200) << ": " << ec.message();
    std::optional<std::uint64_t> length;
    if (auto cl = parser.content_length()) length = *cl;
    return check_request_header(parser.get(), parser.chunked(), length, router);
  }
  ErrorKind refused(const std::string& raw) {
    auto v = check(raw);
    EXPECT_TRUE(v.refuse) << raw;
    return v.refuse ? v.refuse->kind : ErrorKind::internal;
  }
  Router router;
};

TEST_F(RequestRules, HostRequiredOnceInHttp11) {
  EXPECT_FALSE(check("GET /healthz HTTP/1.1\r\nHost: a:8080\r\n\r\n").refuse);
  EXPECT_FALSE(check("GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").refuse);
  EXPECT_FALSE(check("GET /healthz HTTP/1.1\r\nHost:\r\n\r\n").refuse);  // empty is valid
  EXPECT_FALSE(check("GET /healthz HTTP/1.0\r\n\r\n").refuse);
  EXPECT_EQ(refused("GET /healthz HTTP/1.1\r\n\r\n"), ErrorKind::bad_request);
  EXPECT_EQ(refused("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), ErrorKind::bad_request);
  EXPECT_EQ(refused("GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"), ErrorKind::bad_request);
  EXPECT_EQ(refused("GET /healthz HTTP/1.1\r\nHost: user@a\r\n\r\n"), ErrorKind::bad_request);
  EXPECT_EQ(refused("GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n"), ErrorKind::bad_request);
}

TEST_F(RequestRules, TransferEncodingFraming) {
  EXPECT_FALSE(
      check("POST /api/u/tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").refuse);
  EXPECT_EQ(refused("POST /api/u/tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
            ErrorKind::bad_request);
  EXPECT_EQ(
      refused("POST /api/u/tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
      ErrorKind::bad_request);
  EXPECT_EQ(
      refused("POST /api/u/tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
      ErrorKind::not_implemented);
  EXPECT_EQ(refused("POST /api/u/tasks HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ErrorKind::bad_request);
}

TEST_F(RequestRules, UnknownMethodsAre501) {
  EXPECT_EQ(refused("FOO /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), ErrorKind::not_implemented);
  EXPECT_EQ(refused("get /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), ErrorKind::not_implemented);
  EXPECT_EQ(refused("PROPFIND /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), ErrorKind::not_implemented);
  // Implemented somewhere: the router answers 405 for the path, not this check.
  EXPECT_FALSE(check("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").refuse);
  EXPECT_FALSE(check("HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n").refuse);
}

TEST_F(RequestRules, LongTargetIs414) {
  std::string target = "/healthz?q=" + std::string(kMaxTargetBytes, 'a');
  EXPECT_EQ(refused("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"), ErrorKind::uri_too_long);
  // Beast refused the header section: was the request line complete, and how long?
  EXPECT_EQ(header_too_large("").kind, ErrorKind::uri_too_long);
  EXPECT_EQ(header_too_large(target).kind, ErrorKind::uri_too_long);
  EXPECT_EQ(header_too_large("/healthz").kind, ErrorKind::header_too_large);
}

TEST_F(RequestRules, Expect) {
  const std::string post = "POST /api/u/tasks HTTP/1.1\r\nHost: a\r\n";
  EXPECT_TRUE(check(post + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n").send_continue);
  EXPECT_TRUE(check(post + "Content-Length: 5\r\nExpect: 100-Continue\r\n\r\n").send_continue);
  EXPECT_TRUE(
      check(post + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n").send_continue);
  auto no_body = check(post + "Content-Length: 0\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_FALSE(no_body.refuse);
  EXPECT_FALSE(no_body.send_continue);
  EXPECT_FALSE(check(post + "Content-Length: 5\r\n\r\n").send_continue);
  EXPECT_EQ(refused(post + "Content-Length: 5\r\nExpect: something-else\r\n\r\n"),
            ErrorKind::expectation_failed);
  // HTTP/1.0: MUST ignore the expectation.
  auto old =
      check("POST /api/u/tasks HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_FALSE(old.refuse);
  EXPECT_FALSE(old.send_continue);
  // A method no route has is refused before any 100.
  EXPECT_EQ(
      refused("FOO / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"),
      ErrorKind::not_implemented);
}

TEST(ParseTarget, OriginAndAbsoluteForms) {
  auto origin = parse_target("/api/u/tasks?limit=5");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->encoded_path(), "/api/u/tasks");
  EXPECT_EQ(origin->encoded_query(), "limit=5");
  auto absolute = parse_target("http://example.com:8080/api/u/tasks?limit=5");
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->encoded_path(), "/api/u/tasks");
  EXPECT_EQ(absolute->encoded_query(), "limit=5");
  EXPECT_TRUE(parse_target("HTTPS://example.com/healthz"));
  EXPECT_FALSE(parse_target("ftp://example.com/x"));
  EXPECT_FALSE(parse_target("example.com:443"));
  EXPECT_FALSE(parse_target("*"));
  EXPECT_FALSE(parse_target("healthz"));
}

// Found by fuzzing (fuzz/http_request.cpp): Boost.URL 1.81 parses "http://host:80x/api/..."
// as port 80 and the path "x/api/...", which the router matched as "/x/api/..."; RFC 3986
// §3.3 makes such a path impossible after an authority. A 400, not a routed request.
TEST(ParseTarget, RefusesAnAbsoluteFormWhosePathDoesNotStartWithSlash) {
  for (const char* target : {"http://example.com:80api/u/tasks", "http://e:.zc?x=1"}) {
    auto url = parse_target(target);
    ASSERT_FALSE(url) << target;
    EXPECT_EQ(url.error().kind, ErrorKind::bad_request);
  }
  EXPECT_TRUE(parse_target("http://example.com:/x"));        // an empty port (RFC 3986 §3.2.3)
  auto empty_path = parse_target("http://example.com?x=1");  // routed as "/"
  ASSERT_TRUE(empty_path);
  EXPECT_EQ(empty_path->encoded_path(), "");
}

}  // namespace
}  // namespace todo::http
