// Thin HTTP handlers: authorize, parse, run a unit from task_service.hpp, shape the reply.
#include "tasks/tasks_module.hpp"

#include <openssl/sha.h>

#include <boost/json.hpp>

#include "app/platform.hpp"
#include "auth/authenticate.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "http/conditional.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/async_reads.hpp"
#include "storage/await.hpp"
#include "storage/task_store.hpp"
#include "tasks/cursor.hpp"
#include "tasks/list_cache.hpp"
#include "tasks/task_json.hpp"
#include "tasks/task_query.hpp"
#include "tasks/task_service.hpp"
#include "tasks/task_validation.hpp"
#include "tasks/task_writer.hpp"

namespace todo::tasks {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;
using status = http::beast_http::status;

// What the handlers use.
struct TaskDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  const bus::OutboxWriter& outbox;
  ListCache* list_cache;  // null when disabled (PostgreSQL: replicas share the data)
};

// Every task response carries the task's validators: ETag and Last-Modified (RFC 9110 §8.8).
void set_validators(Response& res, std::int64_t version, Millis updated_at) {
  res.set(http::beast_http::field::etag, task_etag(version));
  res.set(http::beast_http::field::last_modified,
          http::format_http_date(task_last_modified(updated_at)));
}

Response task_response(status st, const Task& task, const http::RequestContext& ctx) {
  auto res = http::json_response(st, task_json_text(task), ctx.request);
  set_validators(res, task.version, task.updated_at);
  return res;
}

// 304 Not Modified: the validators and caching headers a 200 would carry, no content and no
// Content-Length (RFC 9110 §15.4.5, §8.6).
Response not_modified(const Task& task, const http::RequestContext& ctx) {
  Response res{status::not_modified, ctx.request.version()};
  res.keep_alive(ctx.request.keep_alive());
  res.set(http::beast_http::field::cache_control, "no-store");
  set_validators(res, task.version, task.updated_at);
  return res;
}

Result<http::Preconditions> preconditions(const http::RequestContext& ctx) {
  return http::read_preconditions(ctx.request, now_millis() / 1000);
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

Result<std::optional<IdempotencyRequest>> idempotency(const http::RequestContext& ctx) {
  auto it = ctx.request.find("Idempotency-Key");
  if (it == ctx.request.end()) return std::optional<IdempotencyRequest>();
  std::string_view key = it->value();
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
    key = key.substr(1, key.size() - 2);
  if (key.empty() || key.size() > 255)
    return Error::field(ErrorKind::bad_request, "Idempotency-Key", "must be 1 to 255 characters");
  std::string fingerprint = sha256_hex(std::string(ctx.request.method_string()) + " " +
                                       std::string(ctx.url.path()) + "\n" + ctx.request.body());
  return std::optional<IdempotencyRequest>(IdempotencyRequest{std::string(key), fingerprint});
}

// After a write to the user's tasks committed (or failed): cached lists are stale.
void written(TaskDeps& s, const std::string& user_id) {
  if (s.list_cache) s.list_cache->bump(user_id);
}

// Common preamble: the path's user must be the caller, and {id} a valid task id.
struct Target {
  std::string user_id;
  std::int64_t id = 0;
};

// The scopes of every task route, declared here once (auth/scopes.hpp): reading needs
// tasks:read, every write (POST, PUT, PATCH, DELETE) tasks:write.
auth::Scope required_scope(const http::Request& req) {
  using http::beast_http::verb;
  return req.method() == verb::get || req.method() == verb::head ? auth::Scope::tasks_read
                                                                 : auth::Scope::tasks_write;
}

asio::awaitable<Result<Target>> target(TaskDeps& s, const http::RequestContext& ctx, bool with_id) {
  auto user = co_await s.authenticator.authorize_user(ctx, required_scope(ctx.request));
  if (!user) co_return user.error();
  Target t{*user};
  if (with_id) {
    auto id = parse_task_id(ctx.param("id"));
    if (!id) co_return id.error();
    t.id = *id;
  }
  co_return t;
}

asio::awaitable<http::Reply> list_tasks(TaskDeps& s, http::RequestContext& ctx) {
  auto t = co_await target(s, ctx, false);
  if (!t) co_return t.error();
  auto query = parse_task_query(ctx.url.params());
  if (!query) co_return query.error();
  std::string cache_key;
  std::uint64_t generation = 0;
  if (s.list_cache) {
    cache_key = ctx.url.encoded_query();
    generation = s.list_cache->generation(t->user_id);
    if (auto cached = s.list_cache->find(t->user_id, cache_key, generation))
      co_return http::json_response(status::ok, std::move(*cached), ctx.request);
  }
  auto page = co_await storage::read_task_page(s.db, s.metrics, t->user_id, *query);
  if (!page) co_return page.error();
  std::string body;
  body.reserve(64 + page->items.size() * 420);
  body += "{\"items\":[";
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    append_task_json(body, page->items[i]);
  }
  body += "],\"next_cursor\":";
  if (page->next)
    append_json_string(body, encode_cursor(*page->next));
  else
    body += "null";
  body += '}';
  if (s.list_cache) s.list_cache->store(t->user_id, cache_key, generation, body);
  co_return http::json_response(status::ok, std::move(body), ctx.request);
}

asio::awaitable<http::Reply> create(TaskDeps& s, http::RequestContext& ctx) {
  auto t = co_await target(s, ctx, false);
  if (!t) co_return t.error();
  auto idem = idempotency(ctx);
  if (!idem) co_return idem.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto fields = parse_task_fields(*body);
  if (!fields) co_return fields.error();
  auto outcome_unit = [user = t->user_id, f = std::move(*fields), i = *idem,
                       mask = s.outbox.event_mask(kTaskEventsTopic),
                       src = credential_source(ctx.request)](storage::Tx& tx) {
    return create_task(tx, user, f, i, now_millis(), mask, src);
  };
  auto outcome =
      co_await storage::db_write<CreateOutcome>(s.db, s.metrics, std::move(outcome_unit));
  written(s, t->user_id);
  if (!outcome) co_return outcome.error();
  auto res = http::json_response(static_cast<status>(outcome->status), outcome->body, ctx.request);
  if (outcome->replayed) {
    res.set("Idempotent-Replayed", "true");
    // The stored body holds the version and update time at creation.
    boost::system::error_code ec;
    auto v = json::parse(outcome->body, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* version = o ? o->if_contains("version") : nullptr;
    const auto* updated = o ? o->if_contains("updated_at") : nullptr;
    auto updated_at = updated && updated->is_string() ? parse_rfc3339(updated->get_string())
                                                      : std::optional<Millis>();
    if (version && version->is_int64() && updated_at)
      set_validators(res, version->get_int64(), *updated_at);
  } else {
    set_validators(res, outcome->version, outcome->updated_at);
  }
  co_return res;
}

asio::awaitable<http::Reply> get_task(TaskDeps& s, http::RequestContext& ctx) {
  auto t = co_await target(s, ctx, true);
  if (!t) co_return t.error();
  auto pre = preconditions(ctx);
  if (!pre) co_return pre.error();
  auto found = co_await storage::read_task(s.db, s.metrics, t->user_id, t->id);
  if (!found) co_return found.error();
  if (!*found)
    co_return Error::make(ErrorKind::not_found,
                          "task " + std::to_string(t->id) + " does not exist");
  const Task& task = **found;
  const char* unchanged = nullptr;
  if (auto e = precondition_error(task, *pre, &unchanged)) co_return *e;
  if (unchanged) co_return not_modified(task, ctx);
  co_return task_response(status::ok, task, ctx);
}

// What every change to one task starts from: the caller's task and the request's
// preconditions (a malformed If-Match or If-None-Match is a 400 before anything else).
struct Change {
  Target task;
  ChangeCondition condition;
};

asio::awaitable<Result<Change>> change_of(TaskDeps& s, const http::RequestContext& ctx) {
  auto t = co_await target(s, ctx, true);
  if (!t) co_return t.error();
  auto pre = preconditions(ctx);
  if (!pre) co_return pre.error();
  co_return Change{std::move(*t), ChangeCondition(std::move(*pre))};
}

// The answer to a change whose content is invalid (`content_error`): RFC 9110 §13.2.1 has
// the preconditions evaluated before the content is processed, so with preconditions the
// task is read first and a failed one (or a missing task) answers instead.
asio::awaitable<http::Reply> content_refused(TaskDeps& s, const Change& c,
                                             const Error& content_error) {
  if (!c.condition.http.empty()) {
    auto check_unit = [c](storage::Tx& tx) {
      return check_change(tx, c.task.user_id, c.task.id, c.condition);
    };
    auto checked = co_await storage::db_read<Unit>(s.db, s.metrics, std::move(check_unit));
    if (!checked) co_return checked.error();
  }
  co_return content_error;
}

// Commits a change unit and answers with the changed task. `unit` is a named lambda of
// the caller (see storage/await.hpp on temporaries in co_await expressions).
template <class UnitFn>
asio::awaitable<http::Reply> commit_change(TaskDeps& s, http::RequestContext& ctx,
                                           const std::string& user_id, UnitFn& unit) {
  auto task = co_await storage::db_write<Task>(s.db, s.metrics, std::move(unit));
  written(s, user_id);
  if (!task) co_return task.error();
  co_return task_response(status::ok, *task, ctx);
}

asio::awaitable<http::Reply> replace(TaskDeps& s, http::RequestContext& ctx) {
  auto c = co_await change_of(s, ctx);
  if (!c) co_return c.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return co_await content_refused(s, *c, body.error());
  auto fields = parse_task_fields(*body);
  if (!fields) co_return co_await content_refused(s, *c, fields.error());
  auto unit = [c = *c, f = std::move(*fields), mask = s.outbox.event_mask(kTaskEventsTopic),
               src = credential_source(ctx.request)](storage::Tx& tx) {
    return replace_task(tx, c.task.user_id, c.task.id, f, c.condition, now_millis(), mask, src);
  };
  co_return co_await commit_change(s, ctx, c->task.user_id, unit);
}

asio::awaitable<http::Reply> patch(TaskDeps& s, http::RequestContext& ctx) {
  auto c = co_await change_of(s, ctx);
  if (!c) co_return c.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return co_await content_refused(s, *c, body.error());
  auto p = parse_task_patch(*body);
  if (!p) co_return co_await content_refused(s, *c, p.error());
  auto unit = [c = *c, p = std::move(*p), mask = s.outbox.event_mask(kTaskEventsTopic),
               src = credential_source(ctx.request)](storage::Tx& tx) {
    return patch_task(tx, c.task.user_id, c.task.id, p, c.condition, now_millis(), mask, src);
  };
  co_return co_await commit_change(s, ctx, c->task.user_id, unit);
}

// No body toggles; {"completed": bool} sets.
Result<std::optional<bool>> completion_wanted(const http::Request& request) {
  if (request.body().empty()) return std::optional<bool>();
  auto body = http::parse_json_body(request);
  if (!body) return body.error();
  const json::value* v = body->is_object() ? body->as_object().if_contains("completed") : nullptr;
  bool only_completed = body->is_object() && body->as_object().size() == (v ? 1u : 0u);
  if (!body->is_object() || !only_completed || (v && !v->is_bool()))
    return Error::field(ErrorKind::validation, "completed",
                        "send {\"completed\": true|false}, or no body to toggle");
  return v ? std::optional<bool>(v->as_bool()) : std::optional<bool>();
}

asio::awaitable<http::Reply> complete(TaskDeps& s, http::RequestContext& ctx) {
  auto c = co_await change_of(s, ctx);
  if (!c) co_return c.error();
  auto completed = completion_wanted(ctx.request);
  if (!completed) co_return co_await content_refused(s, *c, completed.error());
  auto unit = [c = *c, completed = *completed, mask = s.outbox.event_mask(kTaskEventsTopic),
               src = credential_source(ctx.request)](storage::Tx& tx) {
    return complete_task(tx, c.task.user_id, c.task.id, completed, c.condition, now_millis(), mask,
                         src);
  };
  co_return co_await commit_change(s, ctx, c->task.user_id, unit);
}

asio::awaitable<http::Reply> remove(TaskDeps& s, http::RequestContext& ctx) {
  auto c = co_await change_of(s, ctx);
  if (!c) co_return c.error();
  auto unit = [c = *c, mask = s.outbox.event_mask(kTaskEventsTopic),
               src = credential_source(ctx.request)](storage::Tx& tx) {
    return delete_task(tx, c.task.user_id, c.task.id, c.condition, now_millis(), mask, src);
  };
  auto done = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
  written(s, c->task.user_id);
  if (!done) co_return done.error();
  co_return http::empty_response(status::no_content, ctx.request);
}

class TasksModule final : public app::Module {
 public:
  TasksModule(storage::Database& db, ops::Metrics& metrics,
              const auth::Authenticator& authenticator, const bus::OutboxWriter& outbox,
              std::size_t list_cache_bytes)
      : cache_(list_cache_bytes > 0 ? std::make_unique<ListCache>(list_cache_bytes) : nullptr),
        deps_{db, metrics, authenticator, outbox, cache_.get()} {
    if (db.async_reads()) {
      metrics.describe(storage::kTaskPageReadsMetric, "counter",
                       "Task pages read, by path: pipelined on the I/O thread, or on a reader "
                       "thread when that path could not take the read (PostgreSQL).");
      metrics.describe(storage::kTaskReadsMetric, "counter",
                       "Single tasks read (GET of one task), by path, as the task pages "
                       "(PostgreSQL).");
    }
  }

  std::string_view name() const override { return "tasks"; }
  ListCache* list_cache() { return cache_.get(); }

  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.add(verb::get, "/api/{user_id}/tasks", http::with(deps_, list_tasks));
    router.add(verb::post, "/api/{user_id}/tasks", http::with(deps_, create));
    router.add(verb::get, "/api/{user_id}/tasks/{id}", http::with(deps_, get_task));
    router.add(verb::put, "/api/{user_id}/tasks/{id}", http::with(deps_, replace));
    router.add(verb::patch, "/api/{user_id}/tasks/{id}", http::with(deps_, patch));
    router.add(verb::delete_, "/api/{user_id}/tasks/{id}", http::with(deps_, remove));
    router.add(verb::patch, "/api/{user_id}/tasks/{id}/complete", http::with(deps_, complete));
  }

 private:
  std::unique_ptr<ListCache> cache_;
  TaskDeps deps_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<TaskOptions>>(
      "tasks", "Tasks (tasks module)",
      [](app::OptionGroup& group, TaskOptions& o) {
        group.integer("--list-cache-mb", "TODO_LIST_CACHE_MB", o.list_cache_mb,
                      "Memory for cached task-list responses, MiB (SQLite only; 0 disables)", 0,
                      4096);
      },
      nullptr,
      [](app::Platform& p, const TaskOptions& o) -> std::unique_ptr<app::Module> {
        // Only one process writes a SQLite file, so only there can it see every write.
        std::size_t cache = p.config.uses_postgres() ? 0 : std::size_t(o.list_cache_mb) << 20;
        auto module =
            std::make_unique<TasksModule>(p.db, p.metrics, p.authenticator, p.outbox, cache);
        // Tasks written by consumers of this process (next occurrences) end cached lists too.
        if (ListCache* list_cache = module->list_cache())
          p.task_writes.listen([list_cache](const std::string& user) { list_cache->bump(user); });
        return module;
      });
}

}  // namespace todo::tasks
