#pragma once
// RFC 3339 timestamps <-> milliseconds since the epoch (UTC).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace todo {

using Millis = std::int64_t;  // milliseconds since the Unix epoch, UTC

// Accepts "2026-12-01T09:00:00Z", "2026-12-01T09:00:00.123+02:00", lowercase t/z too.
// Rejects anything else (dates without time, out-of-range fields, Feb 30, ...).
std::optional<Millis> parse_rfc3339(std::string_view text);

// "2026-12-01T09:00:00Z", or "2026-12-01T09:00:00.123Z" when there are milliseconds.
std::string format_rfc3339(Millis t);
void append_rfc3339(std::string& out, Millis t);

Millis now_millis();

}  // namespace todo
