#include "config/duration.hpp"

namespace todo {

std::optional<long long> parse_duration_seconds(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  long long unit = 1;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'm':
      unit = 60;
      break;
    case 's':
      unit = 1;
      break;
    default:
      unit = 0;
  }
  if (unit != 0)
    text.remove_suffix(1);
  else
    unit = 1;
  long long n = 0;
  if (text.empty()) return std::nullopt;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  if (n <= 0) return std::nullopt;
  return n * unit;
}

}  // namespace todo
