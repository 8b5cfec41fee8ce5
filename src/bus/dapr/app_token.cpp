#include "bus/dapr/app_token.hpp"

#include <sodium.h>

namespace todo::bus::dapr {

bool app_token_matches(const http::Request& request, std::string_view expected) {
  auto it = request.find("dapr-api-token");
  if (it == request.end()) return false;
  std::string_view got = it->value();
  return got.size() == expected.size() &&
         sodium_memcmp(got.data(), expected.data(), expected.size()) == 0;
}

}  // namespace todo::bus::dapr
