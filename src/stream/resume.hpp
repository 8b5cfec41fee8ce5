#pragma once
// Where a new SSE connection starts (pure; unit-tested in tests/stream/resume_test.cpp).
//
// The client says where it is with `Last-Event-ID` (WHATWG HTML §9.2.4: an EventSource sends
// the id of the last event it saw when it reconnects), or `?last_event_id=` for clients that
// cannot set headers; the header wins when both are there, since an EventSource reconnects
// to the same URL with a newer header.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "storage/stream_store.hpp"

namespace todo::stream {

// The position the client gave: nullopt for none (absent or empty); a validation Error
// naming `field` ("Last-Event-ID" or "last_event_id") when it is not a seq this server
// sends (a decimal integer from 0 to 10^18).
Result<std::optional<std::int64_t>> parse_last_event_id(std::string_view text,
                                                        std::string_view field);

struct ResumePlan {
  bool reset = false;      // send `event: reset` first: the client must reload its state
  std::int64_t start = 0;  // the seq after which events are sent
};

// - no id: live from the log's current end (nothing is replayed);
// - an id whose successors are all still retained: replay them, then live;
// - an id older than the oldest retained row (pruned past it), or ahead of the log (an id
//   this log never gave, e.g. the database was replaced), or below the log's floor (the user
//   stopped listening after it, so task events of that time were never appended): reset,
//   then live from the end.
ResumePlan plan_resume(std::optional<std::int64_t> last_event_id,
                       const storage::StreamPosition& position);

}  // namespace todo::stream
