#pragma once
// The RFC 9110 / 9112 rules a request must pass before its body is read, and how its
// target is parsed. Pure functions over Beast's parsed header; unit-tested in tests/http
// and end to end in tests/integration/http_conformance.test.mjs. Each rule cites its
// section in request_rules.cpp.
#include <boost/url/url_view.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/error.hpp"
#include "http/router.hpp"
#include "http/types.hpp"

namespace todo::http {

// RFC 9112 §3: at least 8 000 octets of request line are RECOMMENDED; we take 8 KiB of
// target. Longer targets are 414; a header section over kMaxHeaderBytes is 431.
inline constexpr std::size_t kMaxTargetBytes = std::size_t{8} << 10;
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{16} << 10;
// What a connection's read buffer holds from the start (http/session.cpp): one read takes a
// typical request (headers with a bearer token, a small JSON body) whole.
inline constexpr std::size_t kFirstReadBytes = std::size_t{4} << 10;

struct HeaderVerdict {
  std::optional<Error> refuse;  // answer this at once, without reading the body, and close
  bool send_continue = false;   // Expect: 100-continue to honour before reading the body
};

// `chunked` and `content_length` as Beast's parser found them (parser.chunked(),
// parser.content_length()). Checks, in this order: Transfer-Encoding framing (400 / 501),
// Host (400), the singleton fields this server reads appearing once (400 naming the field:
// Authorization, Content-Type, Cookie, Idempotency-Key, Last-Event-ID, Mcp-Session-Id,
// MCP-Protocol-Version, dapr-api-token), target length (414), method implemented by some route
// (501), Expect (417, or send_continue when a body is expected).
HeaderVerdict check_request_header(const beast_http::request_header<>& header, bool chunked,
                                   std::optional<std::uint64_t> content_length,
                                   const Router& router);

// The request target in origin-form ("/path?query") or absolute-form
// ("http://host/path?query", RFC 9112 §3.2.2: a server MUST accept it); other forms are a
// bad_request Error.
Result<boost::urls::url_view> parse_target(std::string_view target);

// For a header section Beast refused as too large: 414 when the request line was not
// even complete (`target` empty: Beast had not parsed it) or its target is over
// kMaxTargetBytes, else 431. `target` is what the parser has (parser.get().target()).
Error header_too_large(std::string_view target);

}  // namespace todo::http
