#pragma once
// AuditSubscriber: stores every task event in audit_log, exactly once per event_id
// (insert_audit ignores a redelivered event). In the single binary its writes commit
// together with the outbox acknowledgement (bus/subscriber.hpp, record()).
#include <string>

#include "bus/subscriber.hpp"
#include "storage/audit_store.hpp"
#include "core/error.hpp"
#include "ops/metrics.hpp"

namespace todo::audit {

// Parses and checks one event payload (ARCHITECTURE.md §4) into an audit row. An invalid
// event is an Error (poison: never stored, counted).
Result<storage::AuditRecord> audit_record_from_event(std::string_view payload);

class AuditSubscriber final : public bus::Subscriber {
 public:
  explicit AuditSubscriber(ops::Metrics& metrics);
  const std::string& name() const override { return name_; }
  void record(storage::Tx& tx, const bus::Batch& batch) override;

 private:
  std::string name_ = "audit";
  ops::Metrics& metrics_;
};

}  // namespace todo::audit
