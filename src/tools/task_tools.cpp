// Each handler is the REST route's operation (tasks/tasks_module.cpp) without HTTP: the same
// parsing (tasks/task_validation.hpp, tasks/task_query.hpp, audit/audit_query.hpp) and the
// same unit of work (tasks/task_service.hpp), whose event carries the caller's source.
#include "tools/task_tools.hpp"

#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <cmath>

#include "audit/audit_query.hpp"
#include "bus/outbox_writer.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/await.hpp"
#include "storage/task_store.hpp"
#include "tasks/cursor.hpp"
#include "tasks/task_json.hpp"
#include "tasks/task_query.hpp"
#include "tasks/task_service.hpp"
#include "tasks/task_validation.hpp"
#include "tasks/task_writes.hpp"

namespace todo::tools::handlers {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// An Error of the task operations in words a model can act on.
ToolResult failure(const Error& e) {
  switch (e.kind) {
    case ErrorKind::not_found:
      return ToolResult::error(e.detail +
                               ". Check the id with list_tasks or search_tasks; ids are never "
                               "reused, and a deleted task is gone.");
    case ErrorKind::validation:
    case ErrorKind::bad_request:
      return ToolResult::error("Invalid value: " + e.detail + ". Fix it and call again.");
    case ErrorKind::unavailable:
      return ToolResult::error("The service is busy (" + e.detail + "); try again in a moment.");
    default:
      return ToolResult::error(e.detail.empty() ? "The operation failed." : e.detail);
  }
}

std::int64_t task_id_of(const json::object& args) {
  // The schema has it an integer from 1 to INT64_MAX (REST's path ids: larger is a bad
  // argument, not a missing task); a double there is whole and below 2^63.
  const json::value& v = args.at("task_id");
  if (v.is_int64()) return v.get_int64();
  if (v.is_double() && v.get_double() < 9.2e18) return static_cast<std::int64_t>(v.get_double());
  return INT64_MAX;  // 2^63 exactly (the schema's maximum as a double): no such task
}

json::object change_result(const Task& task, const char* status) {
  return json::object{{"task_id", task.id},
                      {"status", status},
                      {"title", task.title},
                      {"task", task_to_json(task)}};
}

// The arguments without `exclude` (task_id: a path parameter in REST, not a body field).
json::object body_of(const json::object& args, std::string_view exclude = {}) {
  json::object body;
  for (const auto& [key, value] : args)
    if (key != exclude) body.emplace(key, value);
  return body;
}

void written(ToolDeps& deps, const Caller& caller) {
  deps.task_writes.written(caller.user_id);
}

json::object page_result(const TaskPage& page) {
  json::array tasks;
  tasks.reserve(page.items.size());
  for (const Task& t : page.items) tasks.push_back(task_to_json(t));
  json::value next = nullptr;
  if (page.next) next = encode_cursor(*page.next);
  return json::object{{"tasks", std::move(tasks)}, {"next_cursor", std::move(next)}};
}

asio::awaitable<ToolResult> run_query(ToolDeps& deps, const Caller& caller, TaskQuery query) {
  auto page_unit = [user = caller.user_id, q = std::move(query)](storage::Tx& tx) {
    return Result<TaskPage>(storage::tasks(tx).list(user, q));
  };
  auto page = co_await storage::db_read<TaskPage>(deps.db, deps.metrics, std::move(page_unit));
  if (!page) co_return failure(page.error());
  co_return ToolResult{page_result(*page)};
}

// A JSON scalar as a query parameter value, as REST clients would write it.
std::string query_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  // The schema's "integer" admits 20.0 (JSON Schema §6.1.1); REST wants digits.
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::fabs(d) < 9.2e18 && d == std::trunc(d))
      return std::to_string(static_cast<std::int64_t>(d));
  }
  return json::serialize(v);
}

// The arguments as the REST route's query string, so that the REST parser decides (one
// definition of each filter's meaning and errors).
boost::urls::url as_query(const json::object& args) {
  boost::urls::url url("/");
  for (const auto& [key, value] : args) {
    if (value.is_array()) {
      for (const auto& item : value.get_array()) url.params().append({key, query_text(item)});
    } else {
      url.params().append({key, query_text(value)});
    }
  }
  return url;
}

}  // namespace

asio::awaitable<ToolResult> add_task(ToolDeps& deps, const Caller& caller,
                                     const json::object& args) {
  auto fields = parse_task_fields(json::value(args));
  if (!fields) co_return failure(fields.error());
  auto create_unit = [user = caller.user_id, f = std::move(*fields), src = caller.source,
                      mask = deps.outbox.event_mask(kTaskEventsTopic)](storage::Tx& tx) {
    return create_task(tx, user, f, std::nullopt, now_millis(), mask, src);
  };
  auto outcome =
      co_await storage::db_write<CreateOutcome>(deps.db, deps.metrics, std::move(create_unit));
  written(deps, caller);
  if (!outcome) co_return failure(outcome.error());
  json::value task = json::parse(outcome->body);
  json::object result{{"task_id", task.at("id")},
                      {"status", "created"},
                      {"title", task.at("title")},
                      {"task", task}};
  co_return ToolResult{std::move(result)};
}

asio::awaitable<ToolResult> update_task(ToolDeps& deps, const Caller& caller,
                                        const json::object& args) {
  json::object body = body_of(args, "task_id");
  if (body.empty())
    co_return ToolResult::error(
        "Nothing to change: give at least one of title, description, priority, tags, due_at, "
        "remind_at, recurrence, timezone, completed.");
  auto patch = parse_task_patch(json::value(std::move(body)));
  if (!patch) co_return failure(patch.error());
  auto patch_unit = [user = caller.user_id, id = task_id_of(args), p = std::move(*patch),
                     src = caller.source,
                     mask = deps.outbox.event_mask(kTaskEventsTopic)](storage::Tx& tx) {
    return patch_task(tx, user, id, p, std::nullopt, now_millis(), mask, src);
  };
  auto task = co_await storage::db_write<Task>(deps.db, deps.metrics, std::move(patch_unit));
  written(deps, caller);
  if (!task) co_return failure(task.error());
  co_return ToolResult{change_result(*task, "updated")};
}

asio::awaitable<ToolResult> complete_task(ToolDeps& deps, const Caller& caller,
                                          const json::object& args) {
  const auto* completed = args.if_contains("completed");
  bool done = completed ? completed->as_bool() : true;
  auto complete_unit = [user = caller.user_id, id = task_id_of(args), done, src = caller.source,
                        mask = deps.outbox.event_mask(kTaskEventsTopic)](storage::Tx& tx) {
    return todo::complete_task(tx, user, id, done, std::nullopt, now_millis(), mask, src);
  };
  auto task = co_await storage::db_write<Task>(deps.db, deps.metrics, std::move(complete_unit));
  written(deps, caller);
  if (!task) co_return failure(task.error());
  // The hackathon's status word; un-completing is an update (ARCHITECTURE.md §4).
  co_return ToolResult{change_result(*task, done ? "completed" : "updated")};
}

asio::awaitable<ToolResult> delete_task(ToolDeps& deps, const Caller& caller,
                                        const json::object& args) {
  // The title is read in the deleting transaction, so it is the deleted task's.
  auto delete_unit =
      [user = caller.user_id, id = task_id_of(args), src = caller.source,
       mask = deps.outbox.event_mask(kTaskEventsTopic)](storage::Tx& tx) -> Result<std::string> {
    auto found = storage::tasks(tx).find(user, id);
    if (!found)
      return Error::make(ErrorKind::not_found, "task " + std::to_string(id) + " does not exist");
    auto done = todo::delete_task(tx, user, id, std::nullopt, now_millis(), mask, src);
    if (!done) return done.error();
    return found->title;
  };
  const std::int64_t id = task_id_of(args);
  auto title =
      co_await storage::db_write<std::string>(deps.db, deps.metrics, std::move(delete_unit));
  written(deps, caller);
  if (!title) co_return failure(title.error());
  co_return ToolResult{json::object{{"task_id", id}, {"status", "deleted"}, {"title", *title}}};
}

asio::awaitable<ToolResult> get_task(ToolDeps& deps, const Caller& caller,
                                     const json::object& args) {
  auto find_unit = [user = caller.user_id, id = task_id_of(args)](storage::Tx& tx) -> Result<Task> {
    auto found = storage::tasks(tx).find(user, id);
    if (!found)
      return Error::make(ErrorKind::not_found, "task " + std::to_string(id) + " does not exist");
    return std::move(*found);
  };
  auto task = co_await storage::db_read<Task>(deps.db, deps.metrics, std::move(find_unit));
  if (!task) co_return failure(task.error());
  co_return ToolResult{json::object{{"task", task_to_json(*task)}}};
}

asio::awaitable<ToolResult> list_tasks(ToolDeps& deps, const Caller& caller,
                                       const json::object& args) {
  // The hackathon's list_tasks(status?): the first 200 (the REST maximum page), newest
  // first; search_tasks pages on through next_cursor.
  json::object query_args{{"limit", 200}};
  if (const auto* status = args.if_contains("status")) query_args["status"] = *status;
  auto query = parse_task_query(as_query(query_args).params());
  if (!query) co_return failure(query.error());
  co_return co_await run_query(deps, caller, std::move(*query));
}

asio::awaitable<ToolResult> search_tasks(ToolDeps& deps, const Caller& caller,
                                         const json::object& args) {
  auto query = parse_task_query(as_query(args).params());
  if (!query) co_return failure(query.error());
  co_return co_await run_query(deps, caller, std::move(*query));
}

asio::awaitable<ToolResult> list_audit(ToolDeps& deps, const Caller& caller,
                                       const json::object& args) {
  auto query = audit::parse_audit_query(as_query(args).params());
  if (!query) co_return failure(query.error());
  auto audit_unit = [user = caller.user_id, q = std::move(*query)](storage::Tx& tx) {
    return Result<storage::AuditPage>(storage::audit_log(tx).list(user, q));
  };
  auto page =
      co_await storage::db_read<storage::AuditPage>(deps.db, deps.metrics, std::move(audit_unit));
  if (!page) co_return failure(page.error());
  json::array items;
  for (const auto& record : page->items) {
    boost::system::error_code ec;
    json::value event = json::parse(record.event_data, ec);
    if (!ec) items.push_back(std::move(event));
  }
  json::value next = nullptr;
  if (page->next_before_id) next = audit::encode_audit_cursor(*page->next_before_id);
  co_return ToolResult{json::object{{"items", std::move(items)}, {"next_cursor", std::move(next)}}};
}

}  // namespace todo::tools::handlers
