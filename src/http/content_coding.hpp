#pragma once
// Content codings (RFC 9110 §8.4, §12.5.3): Accept-Encoding negotiation and gzip (zlib).
// Used for API JSON responses (server) and the web UI's precompressed files (src/web).
#include <cstddef>
#include <string>
#include <string_view>

namespace todo::http {

// True when `accept_encoding` (an Accept-Encoding field value; several field lines joined
// with ", ") accepts gzip: "gzip" or "x-gzip" listed with q > 0, or, when neither is
// listed, "*" with q > 0 (RFC 9110 §12.5.3). An empty value accepts nothing here: a
// client that says nothing gets identity.
bool accepts_gzip(std::string_view accept_encoding);

// `data` as one gzip member (RFC 1952) at zlib `level` (1 = fastest ... 9 = smallest).
// Throws std::runtime_error only if zlib fails (out of memory).
std::string gzip(std::string_view data, int level = 1);

// JSON bodies smaller than this are sent as they are: below about a kilobyte the gzip
// header and the CPU cost outweigh the bytes saved.
inline constexpr std::size_t kCompressMinBytes = 1024;

}  // namespace todo::http
