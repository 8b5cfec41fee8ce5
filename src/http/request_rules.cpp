#include "http/request_rules.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

#include "http/ows.hpp"

namespace todo::http {
namespace {

using field = beast_http::field;

Error bad(std::string detail) {
  return Error::make(ErrorKind::bad_request, std::move(detail));
}

// Transfer-Encoding of a request (RFC 9112 §6.1, §6.3). Beast already refuses it beside a
// Content-Length (§6.3 item 3: we answer 400 and close) and conflicting Content-Lengths
// (§6.3 item 5: MUST 400 and close).
std::optional<Error> check_transfer_encoding(const beast_http::request_header<>& h, bool chunked) {
  auto it = h.find(field::transfer_encoding);
  if (it == h.end()) return std::nullopt;
  // §6.1: "A server or client that receives an HTTP/1.0 message containing a
  // Transfer-Encoding header field MUST treat the message as if the framing is faulty".
  if (h.version() < 11) return bad("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  // §6.3 item 4: chunked not final in a request: the length cannot be determined, the
  // server MUST respond 400 and close (Beast would read no body at all: smuggling).
  if (!chunked) return bad("the final transfer coding of a request must be chunked");
  // §6.1: a transfer coding the server does not understand SHOULD be 501.
  for (const auto& f : h) {
    if (f.name() != field::transfer_encoding) continue;
    std::string_view list = f.value();
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view coding = trim_ows(list.substr(0, comma));
      coding = trim_ows(coding.substr(0, coding.find(';')));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (!coding.empty() && !boost::beast::iequals(coding, "chunked"))
        return Error::make(ErrorKind::not_implemented,
                           "transfer coding '" + std::string(coding) + "' is not supported");
    }
  }
  return std::nullopt;
}

// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
// HTTP/1.1 request message that lacks a Host header field and to any request message
// that contains more than one Host header field line or a Host header field with an
// invalid field value." Host = uri-host [ ":" port ] (RFC 9110 §7.2); empty is valid.
std::optional<Error> check_host(const beast_http::request_header<>& h) {
  auto count = h.count(field::host);
  if (count == 0) {
    if (h.version() >= 11) return bad("an HTTP/1.1 request must have a Host header");
    return std::nullopt;
  }
  if (count > 1) return bad("a request must have one Host header, not " + std::to_string(count));
  std::string_view host = h.at(field::host);
  if (host.empty()) return std::nullopt;
  auto authority = boost::urls::parse_authority(host);
  if (!authority || authority->has_userinfo()) return bad("the Host header is not host[:port]");
  return std::nullopt;
}

// RFC 9110 §5.3: "A sender MUST NOT generate multiple field lines with the same name in a
// message ... unless that field's definition allows multiple field line values to be
// recombined as a comma-separated list". The singleton fields this server reads: two of them
// are ambiguous (two credentials, two idempotency keys), so the request is refused rather
// than one picked. List-based fields (If-Match, Accept-Encoding, Forwarded...) may repeat.
std::optional<Error> check_singletons(const beast_http::request_header<>& h) {
  static constexpr std::string_view kSingletons[] = {
      "Authorization",  "Content-Type",         "Cookie",        "Idempotency-Key", "Last-Event-ID",
      "Mcp-Session-Id", "MCP-Protocol-Version", "dapr-api-token"};
  for (std::string_view name : kSingletons) {
    const auto count = h.count(boost::beast::string_view(name.data(), name.size()));
    if (count > 1)
      return Error::field(
          ErrorKind::bad_request, std::string(name),
          "must appear once in a request, not " + std::to_string(count) + " times (RFC 9110 §5.3)");
  }
  return std::nullopt;
}

// RFC 9110 §10.1.1 Expect.
std::optional<Error> check_expect(const beast_http::request_header<>& h, bool body_expected,
                                  bool& send_continue) {
  auto it = h.find(field::expect);
  if (it == h.end()) return std::nullopt;
  // "A server that receives a 100-continue expectation in an HTTP/1.0 request MUST
  // ignore that expectation."
  if (h.version() < 11) return std::nullopt;
  if (h.count(field::expect) == 1 && boost::beast::iequals(trim_ows(it->value()), "100-continue")) {
    // "MAY omit sending a 100 (Continue) response if ... the framing indicates that there
    // is no content" (a client MUST NOT send it without content anyway).
    send_continue = body_expected;
    return std::nullopt;
  }
  // Any other expectation "MAY" get 417: we meet none but 100-continue.
  return Error::make(ErrorKind::expectation_failed,
                     "the only expectation this server meets is Expect: 100-continue");
}

}  // namespace

HeaderVerdict check_request_header(const beast_http::request_header<>& h, bool chunked,
                                   std::optional<std::uint64_t> content_length,
                                   const Router& router) {
  HeaderVerdict verdict;
  if ((verdict.refuse = check_transfer_encoding(h, chunked))) return verdict;
  if ((verdict.refuse = check_host(h))) return verdict;
  if ((verdict.refuse = check_singletons(h))) return verdict;
  // RFC 9112 §3: a request-target longer than the server wishes to parse MUST be 414.
  if (h.target().size() > kMaxTargetBytes)
    return {Error::make(ErrorKind::uri_too_long, "the request target exceeds " +
                                                     std::to_string(kMaxTargetBytes) + " bytes")};
  // RFC 9110 §9.1: methods are case-sensitive; one the server does not implement for any
  // resource "SHOULD" be 501 (§15.6.2); 405 is for a method the resource does not allow.
  if (!router.implements(h.method()))
    return {Error::make(ErrorKind::not_implemented,
                        "method " + std::string(h.method_string()) + " is not implemented")};
  bool body_expected = chunked || content_length.value_or(0) > 0;
  verdict.refuse = check_expect(h, body_expected, verdict.send_continue);
  return verdict;
}

Result<boost::urls::url_view> parse_target(std::string_view target) {
  if (target.starts_with('/')) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return bad("invalid request target");
    return *url;
  }
  // RFC 9112 §3.2.2 absolute-form: "A server MUST accept the absolute-form in requests";
  // the origin server uses the target's own host and ignores Host. Only http(s) URIs name
  // resources of this server.
  auto url = boost::urls::parse_absolute_uri(target);
  if (!url || !url->has_authority() ||
      (!boost::beast::iequals(url->scheme(), "http") &&
       !boost::beast::iequals(url->scheme(), "https")))
    return bad("invalid request target: neither /path nor an absolute http(s) URI");
  // RFC 3986 §3.3: with an authority the path is empty or begins with "/". Boost.URL 1.81
  // accepts "http://host:80x/api" as port "80" and path "x/api", which the router would
  // take for "/x/api" (found by fuzzing, fuzz/http_request.cpp).
  if (!url->encoded_path().empty() && !url->encoded_path().starts_with('/'))
    return bad("invalid request target: the authority must end with the port's digits");
  // An empty path ("http://host") is routed as "/" (RFC 9110 §4.2.3).
  return *url;
}

Error header_too_large(std::string_view target) {
  if (target.empty() || target.size() > kMaxTargetBytes)
    return Error::make(ErrorKind::uri_too_long,
                       "the request target exceeds " + std::to_string(kMaxTargetBytes) + " bytes");
  return Error::make(ErrorKind::header_too_large,
                     "the request header exceeds " + std::to_string(kMaxHeaderBytes) + " bytes");
}

}  // namespace todo::http
