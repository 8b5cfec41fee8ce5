#pragma once
// The app token check of every inbound call from the Dapr sidecar (deliveries, the
// subscription list, job triggers): when the sidecar is given APP_API_TOKEN it sends it in the
// `dapr-api-token` header (ARCHITECTURE.md §4). Compared in constant time (sodium_memcmp).
#include <string_view>

#include "http/types.hpp"

namespace todo::bus::dapr {

// True when `request` carries `dapr-api-token: <expected>`.
bool app_token_matches(const http::Request& request, std::string_view expected);

}  // namespace todo::bus::dapr
