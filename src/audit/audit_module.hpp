#pragma once
// audit: the trail of every change. Its consumer (audit/audit_consumer.hpp) stores each
// task event once; GET /api/{user_id}/audit serves a user's events newest first; its worker
// (audit/retention.hpp) removes events older than --audit-retention (in bounded batches;
// on PostgreSQL whole days as partitions), with the consumers' dedupe rows past the same
// window.
// Options: --audit-retention, --audit-retention-interval.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::audit {

struct AuditOptions {
  std::string retention = "7d";           // how long audit events are kept
  std::string retention_interval = "1h";  // how often old events are removed
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::audit
