#include "net/classify.hpp"

namespace todo::net {

namespace {

Classification by_status(int status, std::string_view location) {
  std::string code = "HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) return {Outcome::done, code};
  if (status >= 500 && status < 600) return {Outcome::retry_later, code + " (server error)"};
  if (status == 429) return {Outcome::retry_later, code + " (too many requests)"};
  if (status == 408) return {Outcome::retry_later, code + " (request timeout)"};
  if (status >= 300 && status < 400) {
    if (location.empty()) return {Outcome::give_up, code + " (redirect without Location)"};
    return {Outcome::give_up, "redirect not followed: Location " + std::string(location)};
  }
  if (status >= 400 && status < 500) return {Outcome::give_up, code + " (client error)"};
  return {Outcome::give_up, code + " (unexpected status)"};
}

// curl's own text: the error buffer names host, port and cause; curl_easy_strerror is generic.
std::string describe(CURLcode code, std::string_view detail) {
  if (!detail.empty()) return std::string(detail);
  return curl_easy_strerror(code);
}

}  // namespace

Classification classify(const TransferResult& r) {
  if (r.too_large || r.code == CURLE_FILESIZE_EXCEEDED)
    return {Outcome::give_up,
            "response too large (over " + std::to_string(r.max_response_bytes) + " bytes)"};
  if (r.code == CURLE_OK) return by_status(r.status, r.location);
  std::string why = describe(r.code, r.error_detail);
  switch (r.code) {
    // The peer may well answer next time: not reachable, reset, slow, or overloaded.
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:  // handshake cut short (reset); not a certificate verdict
    case CURLE_OUT_OF_MEMORY:
    case CURLE_AGAIN:
      return {Outcome::retry_later, why};
    // A certificate problem is not transient: the same certificate fails the same way.
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return {Outcome::give_up, "TLS certificate verification failed: " + why};
    case CURLE_TOO_MANY_REDIRECTS:
      return {Outcome::give_up, "too many redirects: " + why};
    default:  // malformed URL, refused scheme, ...: the same request fails the same way
      return {Outcome::give_up, why};
  }
}

}  // namespace todo::net
