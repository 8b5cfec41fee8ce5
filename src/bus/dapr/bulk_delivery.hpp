#pragma once
// Dapr's bulk subscribe wire format (ARCHITECTURE.md §4), as pure functions. With
// `bulkSubscribe` in a subscription the sidecar POSTs one envelope holding many events:
//   {"id", "topic", "pubsubname", "type", "metadata",
//    "entries": [{"entryId", "event": <CloudEvent object | base64 raw payload>,
//                 "contentType", "metadata"}]}
// and expects a status per entry back: {"statuses": [{"entryId", "status"}]}, where an
// entry left out counts as RETRY.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo::bus::dapr {

struct BulkEntry {
  std::string entry_id;
  Result<std::string> event;  // our event's JSON, or why it is not one (answer DROP)
};

// The entries of a bulk envelope, in order; nullopt when `body` is not one (a single
// delivery: structured CloudEvent or raw event). Each entry's event is read as
// event_from_delivery (cloud_event.hpp) reads a single delivery, its "contentType" standing
// for the Content-Type; a string event is base64 (RFC 4648) of the payload, or JSON text.
// Entries without an entryId cannot be answered and are left out (Dapr then retries them).
std::optional<std::vector<BulkEntry>> bulk_delivery_entries(std::string_view body);

struct BulkStatus {
  std::string_view entry_id;
  const char* status;  // "SUCCESS", "RETRY" or "DROP"
};

std::string bulk_statuses_body(const std::vector<BulkStatus>& statuses);

}  // namespace todo::bus::dapr
