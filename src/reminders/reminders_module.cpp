#include "reminders/reminders_module.hpp"

#include <charconv>

#include "app/platform.hpp"
#include "bus/dapr/app_token.hpp"
#include "config/duration.hpp"
#include "http/id_paging.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "reminders/dapr_jobs.hpp"
#include "reminders/firing.hpp"
#include "reminders/notification_json.hpp"
#include "reminders/reminder_consumer.hpp"
#include "reminders/scheduler.hpp"
#include "storage/async_reads.hpp"
#include "storage/await.hpp"
#include "storage/notification_store.hpp"
#include "storage/reminder_store.hpp"
#include "storage/stream_store.hpp"
#include "storage/sync.hpp"
#include "storage/task_store.hpp"

namespace todo::reminders {
namespace {

namespace asio = boost::asio;
using status = http::beast_http::status;

// The longest snooze: a reminder is about a task at hand.
constexpr Millis kMaxSnoozeMs = 30LL * 24 * 3600 * 1000;
// The scope every notifications route needs from a personal access token (auth/scopes.hpp):
// reading them, marking them read and snoozing a reminder are all the notifications' own state.
constexpr auth::Scope kScope = auth::Scope::notifications_read;

struct NotificationDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  std::function<void()> rearmed;  // wakes whichever scheduler runs
  const storage::StreamSignal& stream;
};

// The bell's count, live in the user's open tabs (src/stream): appended to the live-update
// log in the transaction that changed it; the route calls StreamSignal after the commit.
void append_unread_count(storage::Tx& tx, const std::string& user_id) {
  auto unread = storage::notifications(tx).list(user_id, {.unread_only = true, .limit = 1}).unread;
  storage::stream(tx).append(user_id, "notifications",
                             "{\"unread_count\":" + std::to_string(unread) + "}", now_millis());
}

// POST /job/{name}: the Dapr Jobs trigger (ARCHITECTURE.md §4). Only the sidecar calls it.
struct TriggerDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const bus::OutboxWriter& outbox;
  std::string app_token;  // empty: insecure mode (--insecure-no-app-token)
  std::chrono::milliseconds horizon;
  const storage::StreamSignal& stream;
};

asio::awaitable<http::Reply> job_trigger(TriggerDeps& s, http::RequestContext& ctx) {
  if (!s.app_token.empty() && !bus::dapr::app_token_matches(ctx.request, s.app_token))
    co_return Error::make(ErrorKind::unauthorized, "missing or wrong dapr-api-token header");
  constexpr std::string_view kPrefix = "reminder-";
  std::string_view name = ctx.param("name");
  std::optional<std::int64_t> task_id;
  if (name.starts_with(kPrefix)) task_id = http::parse_positive_id(name.substr(kPrefix.size()));
  // Not one of ours: 404, which Dapr takes as "do not retry".
  if (!task_id) co_return Error::make(ErrorKind::not_found, "no such job");
  auto unit = [&s, id = *task_id](storage::Tx& tx) {
    return Result<FireResult>(fire_job(tx, s.outbox, id, now_millis(), Millis(s.horizon.count())));
  };
  auto fired = co_await storage::db_write<FireResult>(s.db, s.metrics, std::move(unit));
  if (!fired) co_return fired.error();  // 503: the sidecar retries the trigger
  count_fired(s.metrics, *fired, now_millis());
  for (const auto& user : fired->users) s.stream.appended(user);
  co_return http::empty_response(status::ok, ctx.request);
}

Result<std::int64_t> notification_id(const http::RequestContext& ctx) {
  if (auto id = http::parse_positive_id(ctx.param("id"))) return *id;
  return Error::field(ErrorKind::not_found, "id", "no such notification");
}

Error no_such_notification(std::int64_t id) {
  return Error::make(ErrorKind::not_found,
                     "notification " + std::to_string(id) + " does not exist");
}

struct ListQuery : http::IdPage {
  bool unread_only = false;
};

Result<ListQuery> parse_list_query(const boost::urls::params_view& params) {
  ListQuery q;
  std::vector<FieldError> errors;
  http::refuse_repeated_params(params, errors);
  for (const auto& p : params) {
    std::string_view key = p.key;
    std::string_view value = p.value;
    if (key.empty() && value.empty()) continue;
    if (key == "unread") {
      if (value == "true" || value == "1")
        q.unread_only = true;
      else if (value == "false" || value == "0")
        q.unread_only = false;
      else
        errors.push_back({"unread", "must be true or false"});
    } else if (!http::read_id_page_param(key, value, q, errors)) {
      errors.push_back(
          {std::string(key.substr(0, 64)), "is not a known parameter (unread, limit, cursor)"});
    }
  }
  if (errors.empty()) return q;
  return http::query_error(std::move(errors));
}

asio::awaitable<http::Reply> list_notifications(NotificationDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, kScope);
  if (!user) co_return user.error();
  auto query = parse_list_query(ctx.url.params());
  if (!query) co_return query.error();
  const storage::NotificationQuery q{query->unread_only, query->before_id, query->limit};
  auto page = co_await storage::read_notification_page(s.db, s.metrics, *user, q);
  if (!page) co_return page.error();
  co_return http::json_response(status::ok, notification_page_json(*page), ctx.request);
}

asio::awaitable<http::Reply> read_one(NotificationDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, kScope);
  if (!user) co_return user.error();
  auto id = notification_id(ctx);
  if (!id) co_return id.error();
  auto unit = [u = *user, id = *id](storage::Tx& tx) -> Result<storage::Notification> {
    auto& store = storage::notifications(tx);
    if (!store.mark_read(u, id, now_millis())) return no_such_notification(id);
    append_unread_count(tx, u);
    return *store.find(u, id);
  };
  auto n = co_await storage::db_write<storage::Notification>(s.db, s.metrics, std::move(unit));
  if (!n) co_return n.error();
  s.stream.appended(*user);
  std::string body;
  append_notification_json(body, *n);
  co_return http::json_response(status::ok, std::move(body), ctx.request);
}

asio::awaitable<http::Reply> read_all(NotificationDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, kScope);
  if (!user) co_return user.error();
  auto unit = [u = *user](storage::Tx& tx) {
    auto updated = storage::notifications(tx).mark_all_read(u, now_millis());
    append_unread_count(tx, u);
    return Result<std::int64_t>(updated);
  };
  auto n = co_await storage::db_write<std::int64_t>(s.db, s.metrics, std::move(unit));
  if (!n) co_return n.error();
  s.stream.appended(*user);
  co_return http::json_response(status::ok, "{\"updated\":" + std::to_string(*n) + "}",
                                ctx.request);
}

// {until}: RFC 3339, in the future, at most 30 days ahead.
Result<Millis> parse_snooze(const http::Request& request, Millis now) {
  auto body = http::parse_json_body(request);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::field(ErrorKind::validation, "body", "must be a JSON object {until}");
  for (const auto& [key, value] : body->as_object())
    if (key != "until")
      return Error::field(ErrorKind::validation, std::string(key.substr(0, 64)),
                          "is not a known field (until)");
  auto* until = body->as_object().if_contains("until");
  if (!until || !until->is_string())
    return Error::field(ErrorKind::validation, "until", "is required: an RFC 3339 date-time");
  auto t = parse_rfc3339(until->as_string());
  if (!t)
    return Error::field(ErrorKind::validation, "until",
                        "must be an RFC 3339 date-time with offset, e.g. 2026-12-01T09:00:00Z");
  if (*t <= now) return Error::field(ErrorKind::validation, "until", "must be in the future");
  if (*t > now + kMaxSnoozeMs)
    return Error::field(ErrorKind::validation, "until", "must be at most 30 days ahead");
  return *t;
}

asio::awaitable<http::Reply> snooze(NotificationDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, kScope);
  if (!user) co_return user.error();
  auto id = notification_id(ctx);
  if (!id) co_return id.error();
  auto until = parse_snooze(ctx.request, now_millis());
  if (!until) co_return until.error();
  auto unit = [u = *user, id = *id,
               until = *until](storage::Tx& tx) -> Result<storage::Notification> {
    auto& store = storage::notifications(tx);
    auto n = store.find(u, id);
    if (!n) return no_such_notification(id);
    if (n->kind != "reminder" || !n->task_id || !n->remind_at)
      return Error::make(ErrorKind::conflict, "only a reminder can be snoozed");
    auto task = storage::tasks(tx).find(u, *n->task_id);
    if (!task || task->completed || task->remind_at != n->remind_at)
      return Error::make(ErrorKind::conflict,
                         "the task of this reminder was completed, deleted or given another "
                         "reminder time");
    auto& jobs = storage::reminders(tx);
    auto job = jobs.find(*n->task_id);
    storage::ReminderJob armed{*n->task_id,
                               u,
                               *n->remind_at,
                               until,
                               storage::ReminderState::pending,
                               job ? job->task_version : task->version};
    jobs.put(armed);
    store.mark_read(u, id, now_millis());
    append_unread_count(tx, u);
    return *store.find(u, id);
  };
  auto n = co_await storage::db_write<storage::Notification>(s.db, s.metrics, std::move(unit));
  if (!n) co_return n.error();
  s.rearmed();
  s.stream.appended(*user);
  std::string body;
  append_notification_json(body, *n);
  body.pop_back();
  body += ",\"snoozed_until\":\"";
  append_rfc3339(body, *until);
  body += "\"}";
  co_return http::json_response(status::ok, std::move(body), ctx.request);
}

// The embedded scheduler (single binary), or the Dapr Jobs API when the role runs over Dapr.
class RemindersModule final : public app::Module {
 public:
  RemindersModule(storage::Database& db, ops::Metrics& metrics,
                  const auth::Authenticator& authenticator, const bus::OutboxWriter& outbox,
                  std::chrono::milliseconds horizon, std::chrono::milliseconds ready_max_overdue,
                  std::optional<DaprJobsOptions> dapr, std::string app_token,
                  const storage::StreamSignal& stream)
      : db_(db),
        scheduler_(db, outbox, metrics, horizon, &stream),
        dapr_jobs_(dapr ? std::make_unique<DaprJobs>(db, metrics, std::move(*dapr)) : nullptr),
        consumer_(std::make_shared<ReminderConsumer>(metrics, [this] { wake(); })),
        deps_{db, metrics, authenticator, [this] { wake(); }, stream},
        trigger_{db, metrics, outbox, std::move(app_token), horizon, stream},
        ready_max_overdue_(ready_max_overdue) {
    describe_fired_metrics(metrics);
    if (db.async_reads())
      metrics.describe(storage::kNotificationPageReadsMetric, "counter",
                       "Notification pages read, by path: pipelined on the I/O thread, or on a "
                       "reader thread when that path could not take the read (PostgreSQL).");
  }

  std::string_view name() const override { return "reminders"; }
  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.add(verb::get, "/api/{user_id}/notifications", http::with(deps_, list_notifications));
    router.add(verb::post, "/api/{user_id}/notifications/read-all", http::with(deps_, read_all));
    router.add(verb::post, "/api/{user_id}/notifications/{id}/read", http::with(deps_, read_one));
    router.add(verb::post, "/api/{user_id}/notifications/{id}/snooze", http::with(deps_, snooze));
    if (dapr_jobs_) router.add(verb::post, "/job/{name}", http::with(trigger_, job_trigger));
  }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override { return {consumer_}; }
  std::vector<app::Worker*> workers() override {
    if (dapr_jobs_) return {dapr_jobs_.get()};
    return {&scheduler_};
  }
  std::vector<app::ReadinessCheck> readiness_checks() override {
    return {{"reminders", [this] {
               std::optional<Millis> next;
               auto status = storage::read_and_wait(
                   db_, [&](storage::Tx& tx) { next = storage::reminders(tx).next_fire_at(); });
               long long overdue = status && next ? std::max<Millis>(0, now_millis() - *next) : 0;
               bool late = overdue > ready_max_overdue_.count();
               return app::Readiness{
                   late ? app::Readiness::Level::degraded : app::Readiness::Level::ok,
                   late ? "overdue" : "ok", "reminders_overdue_ms", overdue};
             }}};
  }

 private:
  void wake() {
    if (dapr_jobs_)
      dapr_jobs_->wake();
    else
      scheduler_.wake();
  }

  storage::Database& db_;
  ReminderScheduler scheduler_;
  std::unique_ptr<DaprJobs> dapr_jobs_;
  std::shared_ptr<ReminderConsumer> consumer_;
  NotificationDeps deps_;
  TriggerDeps trigger_;
  std::chrono::milliseconds ready_max_overdue_;
};

std::chrono::milliseconds duration_option(const std::string& text) {
  return std::chrono::seconds(*parse_duration_seconds(text));
}

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<ReminderOptions>>(
      "reminders", "Reminders and in-app notifications (reminders module)",
      [](app::OptionGroup& group, ReminderOptions& o) {
        group.text("--reminder-horizon", "TODO_REMINDER_HORIZON", o.horizon,
                   "A reminder that came due while the process was down fires at start-up if "
                   "it is younger than this (e.g. 24h), else it is recorded as missed");
        group.text("--reminder-ready-max-overdue", "TODO_REMINDER_READY_MAX_OVERDUE",
                   o.ready_max_overdue,
                   "/readyz says degraded when a reminder is overdue by more than this");
      },
      [](const ReminderOptions& o) {
        if (!parse_duration_seconds(o.horizon))
          throw std::invalid_argument("--reminder-horizon must look like 24h, 30m or 90s, got '" +
                                      o.horizon + "'");
        if (!parse_duration_seconds(o.ready_max_overdue))
          throw std::invalid_argument(
              "--reminder-ready-max-overdue must look like 60s or 5m, got '" + o.ready_max_overdue +
              "'");
      },
      [](app::Platform& p, const ReminderOptions& o) -> std::unique_ptr<app::Module> {
        std::optional<DaprJobsOptions> dapr;
        if (p.config.uses_dapr())
          dapr = DaprJobsOptions{
              "http://" + p.config.dapr_host + ":" + std::to_string(p.config.dapr_http_port),
              p.config.dapr_api_token, std::chrono::milliseconds(p.config.dapr_timeout_ms)};
        return std::make_unique<RemindersModule>(
            p.db, p.metrics, p.authenticator, p.outbox, duration_option(o.horizon),
            duration_option(o.ready_max_overdue), std::move(dapr), p.config.app_api_token,
            p.stream_signal);
      });
}

}  // namespace todo::reminders
