#pragma once
// AuditConsumer: the audit trail as a consumer of task-events (bus/consumer.hpp). Each
// event becomes one audit_log row; exactly once, because ConsumerRunner records the event in
// processed_events in the same transaction (and audit_log.event_id is unique besides).
// An event that fails the schema is given up (never stored; counted in
// todo_audit_rejected_events_total). The same code runs on the embedded bus and behind Dapr.
#include <boost/json/value.hpp>
#include <string>

#include "bus/consumer.hpp"
#include "core/error.hpp"
#include "ops/metrics.hpp"
#include "storage/audit_store.hpp"

namespace todo::audit {

// Parses and checks one event payload (ARCHITECTURE.md §4, events/task_event_reader.hpp) into
// an audit row; an unknown event_type and a missing timestamp are refused too. An invalid
// event is an Error naming the field (poison: never stored).
Result<storage::AuditRecord> audit_record_from_event(std::string_view payload);
// The same for a payload already parsed (`value`, parsed from `payload`).
Result<storage::AuditRecord> audit_record_from_json(const boost::json::value& value,
                                                    std::string_view payload);

class AuditConsumer final : public bus::Consumer {
 public:
  explicit AuditConsumer(ops::Metrics& metrics);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "audit";
  std::string topic_ = "task-events";
  ops::Metrics& metrics_;
};

}  // namespace todo::audit
