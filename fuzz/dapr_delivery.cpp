// What the Dapr sidecar delivers to our subscription routes (ARCHITECTURE.md §4): a
// structured CloudEvent, a raw event, or a bulk envelope (bus/dapr/cloud_event.hpp,
// bus/dapr/bulk_delivery.hpp), and then the task event envelope every consumer reads
// (events/task_event_reader.hpp). Input: "<Content-Type>\n<body>".
// Invariants: an accepted delivery yields a JSON object's text; a refusal is a validation
// error naming an attribute (the caller answers DROP); the event envelope is accepted only
// with its required members in range; base64 round-trips.
#include <sodium.h>

#include <boost/json.hpp>
#include <string>

#include "bus/dapr/bulk_delivery.hpp"
#include "bus/dapr/cloud_event.hpp"
#include "events/task_event_reader.hpp"
#include "fuzz_support.hpp"

using namespace todo;
namespace json = boost::json;

namespace {

void check_event(const Result<std::string>& event) {
  if (!event) {
    FUZZ_CHECK(event.error().kind == ErrorKind::validation && !event.error().errors.empty());
    return;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(*event, ec);
  FUZZ_CHECK(!ec && parsed.is_object());
  Result<TaskEventView> view = read_task_event(parsed);
  if (!view) {
    FUZZ_CHECK(view.error().kind == ErrorKind::validation && !view.error().errors.empty());
    return;
  }
  FUZZ_CHECK(!view->event_id.empty() && view->event_id.size() <= 64);
  FUZZ_CHECK(!view->user_id.empty() && view->user_id.size() <= 128);
  FUZZ_CHECK(view->task_id > 0 && view->task_data != nullptr && view->task_data->is_object());
  if (view->task_version) FUZZ_CHECK(*view->task_version > 0);
}

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(fuzz::as_text(data, size));
  const std::string_view content_type = in.until('\n');
  const std::string_view body = in.rest();

  const std::string media = bus::dapr::media_type(content_type);
  for (char c : media) FUZZ_CHECK(c != ' ' && c != ';' && !(c >= 'A' && c <= 'Z'));

  if (auto entries = bus::dapr::bulk_delivery_entries(body)) {
    std::vector<bus::dapr::BulkStatus> statuses;
    for (const auto& entry : *entries) {
      FUZZ_CHECK(!entry.entry_id.empty());
      check_event(entry.event);
      statuses.push_back({entry.entry_id, entry.event ? "SUCCESS" : "DROP"});
    }
    boost::system::error_code ec;
    json::value answer = json::parse(bus::dapr::bulk_statuses_body(statuses), ec);
    FUZZ_CHECK(!ec && answer.at("statuses").as_array().size() == statuses.size());
  } else {
    check_event(bus::dapr::event_from_delivery(body, content_type));
  }

  if (auto bytes = bus::dapr::decode_base64(body)) FUZZ_CHECK(base64(*bytes) == body);
  FUZZ_CHECK(bus::dapr::decode_base64(base64(body)) == std::string(body));
  return 0;
}
