#include "webhooks/webhooks_module.hpp"

#include <charconv>
#include <stdexcept>

#include "app/platform.hpp"
#include "storage/database.hpp"
#include "storage/sync.hpp"
#include "storage/webhook_store.hpp"
#include "webhooks/delivery_worker.hpp"
#include "webhooks/webhook_consumer.hpp"
#include "webhooks/webhook_routes.hpp"

namespace todo::webhooks {
namespace {

std::optional<double> parse_scale(const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v > 0) || v > 1000)
    return std::nullopt;
  return v;
}

GuardOptions guard_options(const WebhookOptions& o) {
  GuardOptions g;
  g.allow_http = o.allow_http;
  g.allow = AllowList::parse(o.allow);
  g.static_hosts = parse_static_hosts(o.resolve);
  return g;
}

class WebhooksModule final : public app::Module {
 public:
  WebhooksModule(app::Platform& p, const WebhookOptions& o)
      : db_(p.db),
        guard_(guard_options(o)),
        worker_(p.db, p.metrics, guard_,
                DeliveryOptions{*parse_scale(o.retry_scale), o.max_failures, o.max_in_flight}),
        task_events_(std::make_shared<WebhookConsumer>("webhooks", "task-events", worker_, users_)),
        reminders_(
            std::make_shared<WebhookConsumer>("webhooks-reminders", "reminders", worker_, users_)),
        deps_{p.db,
              p.metrics,
              p.authenticator,
              p.cpu,
              guard_,
              o.max_per_user,
              [this] { worker_.wake(); },
              &users_} {
    // Whose events the consumers want: loaded now (before the relay starts, the last module),
    // then kept current by the routes and, across processes, by LISTEN todo_webhooks.
    load_users();
    if (p.config.uses_postgres())
      listener_ = storage::listen_postgres_payloads(
          p.config.database_url, "todo_webhooks", [this](const std::optional<std::string>& user) {
            if (user)
              users_.add(*user);
            else
              load_users();  // (re)connected: what was sent meanwhile may have been missed
          });
  }
  ~WebhooksModule() override { listener_.reset(); }

  std::string_view name() const override { return "webhooks"; }
  // Best effort: should the read fail, the set stays as it is (before the first load every
  // user counts as having an endpoint).
  void load_users() {
    std::vector<std::string> users;
    auto status = storage::read_and_wait(
        db_, [&](storage::Tx& tx) { users = storage::webhooks(tx).users_with_endpoints(); });
    if (status) users_.load(users);
  }
  void add_routes(http::Router& router) override { add_webhook_routes(router, deps_); }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override {
    return {task_events_, reminders_};
  }
  std::vector<app::Worker*> workers() override { return {&worker_}; }
  // "degraded" (still 200: events go on being queued) when a due delivery waits longer than a
  // minute: the worker is stuck or far behind.
  std::vector<app::ReadinessCheck> readiness_checks() override {
    return {{"webhooks", [this] {
               std::optional<Millis> next;
               auto status = storage::read_and_wait(
                   db_, [&](storage::Tx& tx) { next = storage::webhooks(tx).next_due(); });
               long long overdue = status && next ? std::max<Millis>(0, now_millis() - *next) : 0;
               bool late = overdue > kReadyMaxOverdueMs;
               return app::Readiness{
                   late ? app::Readiness::Level::degraded : app::Readiness::Level::ok,
                   late ? "backlog" : "ok", "webhooks_overdue_ms", overdue};
             }}};
  }

 private:
  static constexpr Millis kReadyMaxOverdueMs = 60'000;
  storage::Database& db_;
  AddressGuard guard_;
  EndpointUsers users_;
  DeliveryWorker worker_;
  std::shared_ptr<WebhookConsumer> task_events_;
  std::shared_ptr<WebhookConsumer> reminders_;
  RouteDeps deps_;
  std::unique_ptr<storage::NotificationListener> listener_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<WebhookOptions>>(
      "webhooks", "Webhooks (webhooks module)",
      [](app::OptionGroup& group, WebhookOptions& o) {
        group.flag("--webhook-allow-http", "TODO_WEBHOOK_ALLOW_HTTP", o.allow_http,
                   "Allow http:// webhook URLs (self-hosting, tests); otherwise https only");
        group.text("--webhook-allow", "TODO_WEBHOOK_ALLOW", o.allow,
                   "Addresses webhooks may reach although loopback, private, link-local, "
                   "CGNAT, ...: comma-separated CIDRs (10.0.0.0/8, 127.0.0.1) or host:port");
        group.text("--webhook-resolve", "TODO_WEBHOOK_RESOLVE", o.resolve,
                   "Static host entries for webhook URLs, name:address,... (like curl's "
                   "--resolve); checked like DNS answers");
        group.integer("--webhook-max-per-user", "TODO_WEBHOOK_MAX_PER_USER", o.max_per_user,
                      "Webhook endpoints a user may have", 1, 1000);
        group.integer("--webhook-max-failures", "TODO_WEBHOOK_MAX_FAILURES", o.max_failures,
                      "Consecutive failed delivery attempts that disable an endpoint", 1, 10000);
        group.integer("--webhook-max-in-flight", "TODO_WEBHOOK_MAX_IN_FLIGHT", o.max_in_flight,
                      "Webhook requests sent at once", 1, 1024);
        group.text("--webhook-retry-scale", "TODO_WEBHOOK_RETRY_SCALE", o.retry_scale,
                   "The retry schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h, then dead) times this "
                   "decimal (tests: 0.001 makes it milliseconds)");
      },
      [](const WebhookOptions& o) {
        if (!parse_scale(o.retry_scale))
          throw std::invalid_argument(
              "--webhook-retry-scale must be a decimal above 0 and at most 1000, got '" +
              o.retry_scale + "'");
        (void)AllowList::parse(o.allow);  // throws std::invalid_argument naming the entry
        (void)parse_static_hosts(o.resolve);
      },
      [](app::Platform& p, const WebhookOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<WebhooksModule>(p, o);
      });
}

}  // namespace todo::webhooks
