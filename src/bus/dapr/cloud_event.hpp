#pragma once
// The Dapr wire format of task events (ARCHITECTURE.md §4), as pure functions: what the
// publisher sends to the sidecar and what a consumer accepts from it. No I/O here, so the
// unit tests pin the format down.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "storage/outbox_store.hpp"

namespace todo::bus::dapr {

// A structured CloudEvent 1.0 carrying the outbox row's event as `data`: id = event_id,
// type = todo.task.<event_type> (topic task-events) or todo.reminder.fired (topic reminders),
// partitionkey = user_id, time = the event's timestamp.
// Throws std::invalid_argument when the payload is not one of our events (a programming
// error: only our own code writes the outbox).
std::string cloud_event(const storage::OutboxRow& row, std::string_view source);

// Body of POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}: a JSON array with one entry
// per row, entryId = event_id, each entry a CloudEvent with its own partitionKey metadata.
std::string bulk_publish_body(const std::vector<storage::OutboxRow>& rows, std::string_view source);

// Query string for a single publish: the partition key as Dapr metadata, URL-encoded.
std::string publish_query(std::string_view partition_key);

// The event inside a delivery from the sidecar, in every form the CloudEvents 1.0 JSON
// format (§3) and Dapr produce:
//   - a structured CloudEvent (always so with Content-Type application/cloudevents+json;
//     otherwise when the body has "specversion"): specversion "1.0", and id, source and
//     type non-empty strings, are required (CloudEvents §3.1 "REQUIRED"); our event is
//       "data" as a JSON object, or
//       "data" as a JSON string holding the event's JSON (what Dapr makes of JSON published
//         as text), or
//       "data_base64": RFC 4648 base64 (with padding) of the event's JSON bytes;
//     "datacontenttype" may be absent (JSON is then implied, §3.1), any JSON media type with
//     parameters ("application/json; charset=utf-8", "application/x+json"), or another
//     type as long as the data holds our JSON;
//   - the raw event itself (rawPayload subscriptions, Content-Type application/json).
// `content_type` is the request's Content-Type (empty when absent). The event's JSON text
// on success; else a validation error naming the attribute (specversion, id, source, type,
// data, data_base64) or "body", and saying why: the caller answers DROP. Refused: what has
// no required attribute, both data and data_base64, no data, or data that is not a JSON
// object. Whether the object is one of our events is the consumer's check
// (audit_record_from_event).
Result<std::string> event_from_delivery(std::string_view body, std::string_view content_type = {});
// The same for a parsed delivery; `raw` is its text when known (kept as is for a raw
// event), else the value is serialized.
Result<std::string> event_from_delivery(const boost::json::value& value, std::string_view raw,
                                        std::string_view content_type = {});

// "type/subtype" of a media type (Content-Type or datacontenttype) in lower case, without
// parameters or spaces: "Application/JSON; charset=utf-8" -> "application/json".
std::string media_type(std::string_view content_type);
// application/json, text/json, or a structured syntax suffix "+json" (RFC 6839).
bool is_json_media_type(std::string_view content_type);

// RFC 4648 §4 base64 (standard alphabet, padding required) -> the bytes; nullopt for
// anything else.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace todo::bus::dapr
