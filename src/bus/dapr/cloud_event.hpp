#pragma once
// The Dapr wire format of task events (ARCHITECTURE.md §4), as pure functions: what the
// publisher sends to the sidecar and what a consumer accepts from it. No I/O here, so the
// unit tests pin the format down.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "storage/outbox_store.hpp"

namespace todo::bus::dapr {

// A structured CloudEvent 1.0 carrying the outbox row's event as `data`: id = event_id,
// type = todo.task.<event_type>, partitionkey = user_id, time = the event's timestamp.
// Throws std::invalid_argument when the payload is not one of our events (a programming
// error: only our own code writes the outbox).
std::string cloud_event(const storage::OutboxRow& row, std::string_view source);

// Body of POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}: a JSON array with one entry
// per row, entryId = event_id, each entry a CloudEvent with its own partitionKey metadata.
std::string bulk_publish_body(const std::vector<storage::OutboxRow>& rows, std::string_view source);

// Query string for a single publish: the partition key as Dapr metadata, URL-encoded.
std::string publish_query(std::string_view partition_key);

// The event inside a delivery from the sidecar: a structured CloudEvent (our event in
// `data`, as an object or as a JSON string) or the raw event itself. A validation error
// (naming what is wrong) for anything else: the caller answers DROP.
Result<std::string> event_from_delivery(std::string_view body);
// The same for a parsed delivery; `raw` is its text when known (kept as is for a raw
// event), else the value is serialized.
Result<std::string> event_from_delivery(const boost::json::value& value, std::string_view raw);

}  // namespace todo::bus::dapr
