#pragma once
// Platform: what serve builds once for every module of a role (app/module.hpp), before the
// modules. A module's spec picks from it only what the module uses and hands that to the
// module's constructor; no module holds the Platform itself.
#include <memory>
#include <vector>

#include "app/module.hpp"
#include "auth/authenticator.hpp"
#include "bus/consumer.hpp"
#include "bus/outbox_writer.hpp"
#include "config/config.hpp"
#include "core/cpu_pool.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "storage/stream_store.hpp"
#include "tasks/task_writes.hpp"

namespace todo::app {

// Every readiness check of the role; the ops module runs them for GET /readyz. Filled by
// serve after the modules are built, read-only once the server runs.
class ReadinessRegistry {
 public:
  void add(ReadinessCheck check) { checks_.push_back(std::move(check)); }
  const std::vector<ReadinessCheck>& checks() const { return checks_; }

 private:
  std::vector<ReadinessCheck> checks_;
};

// The consumers of every module of the role; the relay (embedded bus) or the Dapr endpoint
// drives them. Filled by serve after the modules are built, before any worker starts.
class ConsumerDirectory {
 public:
  void add(std::shared_ptr<bus::Consumer> consumer) { consumers_.push_back(std::move(consumer)); }
  const std::vector<std::shared_ptr<bus::Consumer>>& all() const { return consumers_; }

 private:
  std::vector<std::shared_ptr<bus::Consumer>> consumers_;
};

struct Platform {
  const Config& config;  // the core configuration: server, storage, role, bus, tokens
  // This process among the replicas of a deployment: "host:pid:random", [A-Za-z0-9:._-], at
  // most 63 bytes. On PostgreSQL it is the application_name of every session and the outbox
  // relay's claim holder (storage/database.hpp PostgresOptions::session_name).
  const std::string& instance;
  storage::Database& db;
  ops::Metrics& metrics;
  CpuPool& cpu;
  const auth::Authenticator& authenticator;
  bus::OutboxWriter& outbox;
  const ConsumerDirectory& consumers;
  const ReadinessRegistry& readiness;
  TaskWrites& task_writes;  // listeners added while modules are built, read-only afterwards
  storage::StreamSignal& stream_signal;  // the same: appends to the live-update log committed
};

}  // namespace todo::app
