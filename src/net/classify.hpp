#pragma once
// The default classification of a finished transfer into done / retry_later / give_up, and
// its reason (internal to src/net; pure, unit-tested in tests/net/classify_test.cpp). The
// table is documented on Outcome in http_client.hpp.
#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "net/http_client.hpp"

namespace todo::net {

struct TransferResult {
  CURLcode code = CURLE_OK;  // curl's result for the transfer
  int status = 0;            // CURLINFO_RESPONSE_CODE; 0 when there was no HTTP answer
  bool too_large = false;    // the body callback refused the body (over the cap)
  std::size_t max_response_bytes = 0;
  std::string_view error_detail;  // CURLOPT_ERRORBUFFER's text; may be empty
  std::string_view location;      // the final answer's Location header; may be empty
};

struct Classification {
  Outcome outcome = Outcome::give_up;
  std::string reason;
};

Classification classify(const TransferResult& result);

}  // namespace todo::net
