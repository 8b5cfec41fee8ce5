#include "audit/audit_module.hpp"

#include "app/platform.hpp"
#include "audit/audit_consumer.hpp"
#include "audit/audit_query.hpp"
#include "audit/retention.hpp"
#include "config/duration.hpp"
#include "http/problem.hpp"
#include "storage/async_reads.hpp"
#include "storage/audit_store.hpp"
#include "tasks/task_writer.hpp"

namespace todo::audit {
namespace {

namespace asio = boost::asio;
using http::Response;

struct AuditDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
};

asio::awaitable<http::Reply> list_audit(AuditDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::audit_read);
  if (!user) co_return user.error();
  auto query = parse_audit_query(ctx.url.params());
  if (!query) co_return query.error();
  auto page = co_await storage::read_audit_page(s.db, s.metrics, *user, *query);
  if (!page) co_return page.error();
  // Items are the stored events, spliced in as stored (they are our own JSON).
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    body += page->items[i].event_data;
  }
  body += "],\"next_cursor\":";
  if (page->next_before_id)
    append_json_string(body, encode_audit_cursor(*page->next_before_id));
  else
    body += "null";
  body += '}';
  co_return http::json_response(http::beast_http::status::ok, std::move(body), ctx.request);
}

class AuditModule final : public app::Module {
 public:
  AuditModule(storage::Database& db, ops::Metrics& metrics,
              const auth::Authenticator& authenticator, std::chrono::seconds retention,
              std::chrono::seconds interval)
      : deps_{db, metrics, authenticator},
        consumer_(std::make_shared<AuditConsumer>(metrics)),
        retention_(db, metrics, retention, interval) {
    if (db.async_reads())
      metrics.describe(storage::kAuditPageReadsMetric, "counter",
                       "Audit pages read, by path: pipelined on the I/O thread, or on a reader "
                       "thread when that path could not take the read (PostgreSQL).");
  }

  std::string_view name() const override { return "audit"; }
  void add_routes(http::Router& router) override {
    router.add(http::beast_http::verb::get, "/api/{user_id}/audit", http::with(deps_, list_audit));
  }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override { return {consumer_}; }
  std::vector<app::Worker*> workers() override { return {&retention_}; }

 private:
  AuditDeps deps_;
  std::shared_ptr<AuditConsumer> consumer_;
  RetentionJob retention_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<AuditOptions>>(
      "audit", "Audit trail (audit module)",
      [](app::OptionGroup& group, AuditOptions& o) {
        group.text("--audit-retention", "TODO_AUDIT_RETENTION", o.retention,
                   "How long audit events are kept (e.g. 7d, 12h, 30m, 90s); on PostgreSQL a "
                   "retention of a day or more drops whole days, so events stay up to a day "
                   "longer");
        group.text("--audit-retention-interval", "TODO_AUDIT_RETENTION_INTERVAL",
                   o.retention_interval, "How often events past the retention are removed");
      },
      [](const AuditOptions& o) {
        if (!parse_duration_seconds(o.retention))
          throw std::invalid_argument(
              "--audit-retention must look like 7d, 12h, 30m or 90s, got '" + o.retention + "'");
        if (!parse_duration_seconds(o.retention_interval))
          throw std::invalid_argument(
              "--audit-retention-interval must look like 1h, 10m or 30s, got '" +
              o.retention_interval + "'");
      },
      [](app::Platform& p, const AuditOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<AuditModule>(
            p.db, p.metrics, p.authenticator,
            std::chrono::seconds(*parse_duration_seconds(o.retention)),
            std::chrono::seconds(*parse_duration_seconds(o.retention_interval)));
      });
}

}  // namespace todo::audit
