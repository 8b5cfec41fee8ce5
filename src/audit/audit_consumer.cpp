#include "audit/audit_consumer.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "events/task_event_reader.hpp"
#include "storage/audit_store.hpp"

namespace todo::audit {

Result<storage::AuditRecord> audit_record_from_json(const boost::json::value& value,
                                                    std::string_view payload) {
  auto event = read_task_event(value);
  if (!event) return event.error();
  // The audit stores what happened: a type it does not know cannot be shown or filtered.
  if (!event->type)
    return Error::field(ErrorKind::validation, "event_type", "is missing or unknown");
  if (!event->timestamp)
    return Error::field(ErrorKind::validation, "timestamp", "is missing or not RFC 3339");
  storage::AuditRecord r;
  r.event_id = std::string(event->event_id);
  r.event_type = std::string(event->event_type);
  r.user_id = std::string(event->user_id);
  r.task_id = event->task_id;
  r.timestamp = *event->timestamp;
  r.event_data = std::string(payload);
  return r;
}

Result<storage::AuditRecord> audit_record_from_event(std::string_view payload) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec) return Error::field(ErrorKind::validation, "event", "is not a JSON object");
  return audit_record_from_json(value, payload);
}

AuditConsumer::AuditConsumer(ops::Metrics& metrics) : metrics_(metrics) {
  metrics_.describe("todo_audit_lag_seconds", "histogram",
                    "Event commit to the commit of its audit row.");
  metrics_.describe("todo_audit_rejected_events_total", "counter",
                    "Events that failed schema checks and were not stored.");
  metrics_.add("todo_audit_rejected_events_total", "", 0);
}

std::vector<Outcome> AuditConsumer::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  std::vector<storage::AuditRecord> records;
  records.reserve(events.size());
  for (const auto& event : events) {
    auto record = audit_record_from_json(event.json(), event.payload);
    if (!record) {
      log::error("audit: event {} rejected: {}", event.event_id, record.error().detail);
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    records.push_back(std::move(*record));
    outcomes.push_back(Outcome::done);
  }
  storage::audit_log(tx).insert_many(records);
  return outcomes;
}

void AuditConsumer::committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                              Millis now) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (outcomes[i] == Outcome::give_up) metrics_.add("todo_audit_rejected_events_total", "", 1);
    if (outcomes[i] == Outcome::done)
      metrics_.observe("todo_audit_lag_seconds", "",
                       std::max<double>(0, double(now - events[i].created_at) / 1000.0));
  }
}

}  // namespace todo::audit
