// Response's lookups and the enum names (see http_client.hpp).
#include <curl/curl.h>

#include <charconv>
#include <ctime>

#include "net/http_client.hpp"

namespace todo::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

const char* to_string(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
  }
  return "GET";
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

std::optional<std::chrono::seconds> Response::retry_after() const {
  auto value = header("Retry-After");
  if (!value || value->empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec == std::errc() && end == value->data() + value->size() && seconds >= 0)
    return std::chrono::seconds(seconds);
  // An HTTP-date (RFC 9110 §5.6.7): curl_getdate parses its three historic formats.
  std::string date(*value);
  time_t at = curl_getdate(date.c_str(), nullptr);
  if (at == -1) return std::nullopt;
  long long delay = static_cast<long long>(at) - static_cast<long long>(std::time(nullptr));
  return std::chrono::seconds(delay > 0 ? delay : 0);
}

}  // namespace todo::net
