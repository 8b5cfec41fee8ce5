#pragma once
// Server-Sent Events wire format (WHATWG HTML, §9.2 "Server-sent events", "Parsing an
// event stream" and "Interpreting an event stream"). Pure; unit-tested in tests/http.
#include <string>
#include <string_view>

namespace todo::http {

// One event, ready to push to a Stream:
//   "id: <id>\n" (when id is not empty) "event: <event>\n" (when event is not empty)
//   "data: <line>\n" for each line of data, then the blank line that dispatches it.
// Lines of `data` are split at CRLF, CR and LF alike (the spec's three line ends), and a
// client joins them back with LF: "a\r\nb" arrives as "a\nb". Empty data still gives one
// "data: " line, so that the event is dispatched (the spec drops events without data).
// `id` and `event` are one-line fields with no escaping in the format: any CR, LF (and,
// in `id`, NUL, which makes clients ignore the field) is REMOVED rather than refused, so
// the result is always exactly one well-formed event and can never inject fields.
std::string sse_message(std::string_view id, std::string_view event, std::string_view data);

// A comment line (": text\n\n"): ignored by clients, keeps the connection alive. CR/LF in
// `text` are removed.
std::string sse_comment(std::string_view text);

}  // namespace todo::http
