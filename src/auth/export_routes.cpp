// GET /api/{user_id}/export (issue 14, item 2): everything the account holds, as one JSON
// document, for the user to download:
//   {"format": "todo-platform-export", "version": 1, "exported_at": "<RFC 3339>",
//    "user": {id, email, name, created_at},
//    "tasks": [every task, oldest first, as the task API shows it],
//    "audit": [the whole audit trail, newest first, as the audit API shows it]}
// The body is streamed (http/types.hpp BodySource): the tasks and the audit rows are read a
// page at a time, each page written out before the next is read, so a big account never
// takes more memory than one page. Pages are separate reads: a change made during the export
// may or may not be in it.
#include <boost/json.hpp>

#include "auth/auth_deps.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"
#include "storage/audit_store.hpp"
#include "storage/await.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "tasks/task_writer.hpp"

namespace todo::auth {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;

constexpr int kTasksPerPage = 200;
constexpr int kAuditPerPage = 500;

class ExportSource final : public http::BodySource {
 public:
  ExportSource(AuthDeps& deps, User user, Millis now)
      : deps_(deps), user_(std::move(user)), now_(now) {}

  asio::awaitable<Result<std::string>> next() override {
    std::string out;
    switch (stage_) {
      case Stage::head: {
        json::object head{{"format", "todo-platform-export"},
                          {"version", 1},
                          {"exported_at", format_rfc3339(now_)},
                          {"user", user_json(user_)}};
        out = json::serialize(head);
        out.pop_back();  // the closing brace: the arrays follow
        out += ",\"tasks\":[";
        stage_ = Stage::tasks;
        co_return out;
      }
      case Stage::tasks: {
        auto page = co_await task_page();
        if (!page) co_return page.error();
        for (const auto& task : page->items) {
          if (wrote_any_) out += ',';
          append_task_json(out, task);
          wrote_any_ = true;
        }
        tasks_after_ = page->next;
        if (!page->next) {
          out += "],\"audit\":[";
          stage_ = Stage::audit;
          wrote_any_ = false;
        }
        co_return out;
      }
      case Stage::audit: {
        auto page = co_await audit_page();
        if (!page) co_return page.error();
        for (const auto& record : page->items) {
          if (wrote_any_) out += ',';
          out += record.event_data;  // the stored event: our own JSON
          wrote_any_ = true;
        }
        audit_before_ = page->next_before_id;
        if (!page->next_before_id) {
          out += "]}";
          stage_ = Stage::done;
        }
        co_return out;
      }
      case Stage::done:
        break;
    }
    co_return std::string();
  }

 private:
  asio::awaitable<Result<TaskPage>> task_page() {
    TaskQuery query;
    query.sort = SortField::created_at;
    query.ascending = true;
    query.limit = kTasksPerPage;
    query.after = tasks_after_;
    auto unit = [user_id = user_.id, query](storage::Tx& tx) {
      return Result<TaskPage>(storage::tasks(tx).list(user_id, query));
    };
    co_return co_await storage::db_read<TaskPage>(deps_.db, deps_.metrics, std::move(unit));
  }

  asio::awaitable<Result<storage::AuditPage>> audit_page() {
    storage::AuditQuery query;
    query.limit = kAuditPerPage;
    query.before_id = audit_before_;
    auto unit = [user_id = user_.id, query](storage::Tx& tx) {
      return Result<storage::AuditPage>(storage::audit_log(tx).list(user_id, query));
    };
    co_return co_await storage::db_read<storage::AuditPage>(deps_.db, deps_.metrics,
                                                            std::move(unit));
  }

  enum class Stage { head, tasks, audit, done };
  AuthDeps& deps_;
  User user_;
  Millis now_;
  Stage stage_ = Stage::head;
  bool wrote_any_ = false;
  std::optional<Cursor> tasks_after_;
  std::optional<std::int64_t> audit_before_;
};

asio::awaitable<http::Reply> export_account(AuthDeps& s, http::RequestContext& ctx) {
  auto user_id = s.authenticator.authorize_path_user(ctx);
  if (!user_id) co_return user_id.error();
  auto user_unit = [id = *user_id](storage::Tx& tx) {
    return Result<std::optional<User>>(storage::users(tx).find_by_id(id));
  };
  auto user = co_await storage::db_read<std::optional<User>>(s.db, s.metrics, std::move(user_unit));
  if (!user) co_return user.error();
  if (!*user) co_return account_deleted_error();

  const Millis now = now_millis();
  Response res{http::beast_http::status::ok, ctx.request.version()};
  res.keep_alive(ctx.request.keep_alive());
  res.set(http::beast_http::field::content_type, "application/json");
  res.set(http::beast_http::field::cache_control, "no-store");
  res.set(http::beast_http::field::content_disposition,
          "attachment; filename=\"todo-export-" + format_rfc3339(now).substr(0, 10) + ".json\"");
  ctx.body_source = std::make_shared<ExportSource>(s, std::move(**user), now);
  co_return res;
}

}  // namespace

void add_export_routes(http::Router& router, AuthDeps& deps) {
  router.add(http::beast_http::verb::get, "/api/{user_id}/export",
             http::with(deps, export_account));
}

}  // namespace todo::auth
