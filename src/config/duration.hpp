#pragma once
// Durations in options: "7d", "12h", "30m", "45s" or a plain number of seconds.
#include <optional>
#include <string_view>

namespace todo {

// Seconds, or nullopt when malformed, zero or negative.
std::optional<long long> parse_duration_seconds(std::string_view text);

}  // namespace todo
