#include "audit/audit_consumer.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"

namespace todo::audit {

Result<storage::AuditRecord> audit_record_from_event(std::string_view payload) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec || !value.is_object())
    return Error::field(ErrorKind::validation, "event", "is not a JSON object");
  const auto& o = value.as_object();
  auto str = [&o](const char* key) -> const boost::json::string* {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? &v->as_string() : nullptr;
  };
  storage::AuditRecord r;
  auto* event_id = str("event_id");
  auto* type = str("event_type");
  auto* user = str("user_id");
  auto* timestamp = str("timestamp");
  auto* task_id = o.if_contains("task_id");
  // Control characters (NUL above all) cannot go into a text column: such an event would
  // fail its insert on every redelivery, so it is refused here as poison.
  auto printable = [](const boost::json::string& v) {
    return std::none_of(v.begin(), v.end(), [](char c) { return (unsigned char)c < 0x20; });
  };
  if (!event_id || event_id->empty() || event_id->size() > 64 || !printable(*event_id))
    return Error::field(ErrorKind::validation, "event_id", "is missing or invalid");
  if (!type || !is_event_type(*type))
    return Error::field(ErrorKind::validation, "event_type", "is missing or unknown");
  if (!user || user->empty() || user->size() > 128 || !printable(*user))
    return Error::field(ErrorKind::validation, "user_id", "is missing or invalid");
  if (!task_id || !task_id->is_int64() || task_id->as_int64() <= 0)
    return Error::field(ErrorKind::validation, "task_id", "is missing or invalid");
  auto when = timestamp ? parse_rfc3339(*timestamp) : std::nullopt;
  if (!when) return Error::field(ErrorKind::validation, "timestamp", "is missing or not RFC 3339");
  auto* data = o.if_contains("task_data");
  if (!data || !data->is_object())
    return Error::field(ErrorKind::validation, "task_data", "is missing");
  r.event_id = std::string(*event_id);
  r.event_type = std::string(*type);
  r.user_id = std::string(*user);
  r.task_id = task_id->as_int64();
  r.timestamp = *when;
  r.event_data = std::string(payload);
  return r;
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
    auto record = audit_record_from_event(event.payload);
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
