#include "bus/relay_module.hpp"

#include <charconv>

#include "app/platform.hpp"
#include "bus/dapr/dapr_publisher.hpp"
#include "bus/outbox_relay.hpp"

namespace todo::bus {
namespace {

RelayOptions relay_options(const Config& config, const std::string& instance) {
  RelayOptions options;
  // Short: the publisher's circuit breaker (cool-down up to 4 s, health probes while the
  // sidecar is unreachable) is what spaces out calls to a sidecar that is down, and a 30 s
  // outage leaves ~60 000 events that should start draining as soon as it is back.
  if (config.uses_dapr()) options.max_backoff = std::chrono::milliseconds(500);
  // Several processes (api replicas) may share a PostgreSQL outbox: claim each batch.
  // Claims are held under the name of this process's sessions (app/platform.hpp instance).
  if (config.uses_postgres()) options.claim_holder = instance;
  // Before bits had names the outbox had one target: the Dapr publisher or the audit.
  options.legacy_heir = config.uses_dapr() ? "dapr-publisher" : "audit";
  return options;
}

class RelayModule final : public app::Module, public app::Worker {
 public:
  RelayModule(storage::Database& db, ops::Metrics& metrics, OutboxWriter& outbox,
              const app::ConsumerDirectory& consumers, const Config& config,
              const std::string& instance, RelayModuleOptions options)
      : db_(db),
        metrics_(metrics),
        consumers_(consumers),
        config_(config),
        options_(options),
        relay_(db, metrics, outbox, relay_options(config, instance)) {}

  std::string_view name() const override { return "relay"; }
  std::vector<app::Worker*> workers() override { return {this}; }
  std::vector<app::ReadinessCheck> readiness_checks() override {
    return {{"outbox", [this] {
               double age = relay_.oldest_pending_age_seconds();
               bool ok = age <= options_.ready_max_age_seconds;
               return app::Readiness{
                   ok ? app::Readiness::Level::ok : app::Readiness::Level::degraded,
                   ok ? "ok" : "backlog", "outbox_oldest_age_ms", (long long)(age * 1000)};
             }}};
  }

  // The targets are known only now: every module of the role is built.
  void start() override {
    if (config_.uses_dapr())
      relay_.add(std::make_shared<dapr::DaprPublisher>(config_, metrics_));
    else
      for (const auto& consumer : consumers_.all()) relay_.add(consumer);
    if (relay_.empty()) return;  // nobody to deliver to: events are not even written
    db_.set_commit_listener([this](std::uint32_t targets) { relay_.wake(targets); });
    // Woken through LISTEN when another process releases users whose newer events this
    // one skipped while they were claimed (payload: the target's bit; anything else, and
    // every reconnect, wakes every target).
    if (config_.uses_postgres())
      listener_ = storage::listen_postgres_payloads(
          config_.database_url, "todo_outbox", [this](const std::optional<std::string>& payload) {
            std::uint32_t bit = 0;
            if (payload) std::from_chars(payload->data(), payload->data() + payload->size(), bit);
            relay_.wake(bit != 0 ? bit : ~0u);
          });
    relay_.start();
  }

  void stop() override {
    listener_.reset();
    relay_.stop();  // undelivered events stay in the outbox for the next start
  }

 private:
  storage::Database& db_;
  ops::Metrics& metrics_;
  const app::ConsumerDirectory& consumers_;
  const Config& config_;
  RelayModuleOptions options_;
  OutboxRelay relay_;
  std::unique_ptr<storage::NotificationListener> listener_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> relay_module_spec() {
  return std::make_unique<app::FunctionSpec<RelayModuleOptions>>(
      "relay", "Outbox relay (relay module)",
      [](app::OptionGroup& group, RelayModuleOptions& o) {
        group.integer(
            "--outbox-ready-max-age", "TODO_OUTBOX_READY_MAX_AGE", o.ready_max_age_seconds,
            "/readyz reports degraded (still 200) when an undelivered event is older (seconds)", 1,
            86400);
      },
      nullptr,
      [](app::Platform& p, const RelayModuleOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<RelayModule>(p.db, p.metrics, p.outbox, p.consumers, p.config,
                                             p.instance, o);
      });
}

}  // namespace todo::bus
