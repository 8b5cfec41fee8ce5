// SQLite: tasks, their tags and search index (storage/task_store.hpp).
#include <boost/json.hpp>

#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_task_tags.hpp"
#include "storage/task_store.hpp"
#include "tasks/task_search.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kTaskColumns =
    "t.id, t.user_id, t.title, t.description, t.completed, t.priority, t.tags, t.due_at, "
    "t.remind_at, t.recurrence, t.timezone, t.created_at, t.updated_at, t.completed_at, "
    "t.version, t.series_id";
// title_key and search_text are computed here (tasks/task_search.hpp), never by SQL, so that
// both backends hold the same bytes.
constexpr const char* kInsertTask =
    "INSERT INTO tasks (user_id, title, description, completed, priority, tags, due_at, "
    "remind_at, recurrence, timezone, created_at, updated_at, completed_at, version, "
    "title_key, search_text, series_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?)";
constexpr const char* kUpdate =
    "UPDATE tasks SET title = ?, description = ?, completed = ?, priority = ?, tags = ?, "
    "due_at = ?, remind_at = ?, recurrence = ?, timezone = ?, updated_at = ?, "
    "completed_at = ?, version = ?, title_key = ?, search_text = ? WHERE user_id = ? AND id = ?";
constexpr const char* kSelectKeysToFill =
    "SELECT id, title, description FROM tasks WHERE id > ? "
    "ORDER BY id LIMIT 500";
constexpr const char* kFillKeys = "UPDATE tasks SET title_key = ?, search_text = ? WHERE id = ?";
constexpr const char* kDelete = "DELETE FROM tasks WHERE user_id = ? AND id = ?";
// task_tags go by ON DELETE CASCADE.
constexpr const char* kDeleteAll = "DELETE FROM tasks WHERE user_id = ?";

std::vector<std::string> tags_from_json(const std::string& text) {
  std::vector<std::string> tags;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return tags;
  for (const auto& t : v.as_array())
    if (t.is_string()) tags.emplace_back(t.as_string());
  return tags;
}

Task read_task(const Statement& s) {
  Task t;
  t.id = s.int64(0);
  t.user_id = s.text(1);
  t.title = s.text(2);
  t.description = s.text(3);
  t.completed = s.int64(4) != 0;
  t.priority = static_cast<Priority>(s.int64(5));
  t.tags = tags_from_json(s.text(6));
  t.due_at = s.opt_int64(7);
  t.remind_at = s.opt_int64(8);
  t.recurrence = s.opt_text(9);
  t.timezone = s.text(10);
  t.created_at = s.int64(11);
  t.updated_at = s.int64(12);
  t.completed_at = s.opt_int64(13);
  t.version = s.int64(14);
  t.series_id = s.opt_int64(15);
  return t;
}

const char* sort_expression(SortField sort) {
  switch (sort) {
    case SortField::created_at:
      return "t.created_at";
    case SortField::updated_at:
      return "t.updated_at";
    case SortField::due_at:
      return "COALESCE(t.due_at, 9223372036854775807)";
    case SortField::priority:
      return "t.priority";
    case SortField::title:
      return "t.title_key";  // BINARY collation: byte order, as COLLATE "C" on PostgreSQL
  }
  return "t.created_at";
}

class SqliteTasks final : public TaskStore {
 public:
  explicit SqliteTasks(Handle& db) : db_(db) {}

  Task insert(std::string_view user_id, const TaskFields& f, Millis now,
              std::optional<std::int64_t> series_id) override {
    Task t = new_task(user_id, f, now);
    t.series_id = series_id;
    auto s = db_.prepare(kInsertTask);
    s.bind(1, user_id).bind(2, t.title).bind(3, t.description).bind(4, std::int64_t(t.completed));
    s.bind(5, std::int64_t(t.priority)).bind(6, json_array(t.tags)).bind(7, t.due_at);
    s.bind(8, t.remind_at).bind(9, t.recurrence).bind(10, t.timezone).bind(11, t.created_at);
    s.bind(12, t.updated_at).bind(13, t.completed_at).bind(14, t.version);
    s.bind(15, title_sort_key(t.title)).bind(16, search_document(t.title, t.description));
    try {
      s.bind(17, t.series_id).run();
    } catch (DbError& e) {
      if (e.missing_reference) e.answer = account_deleted_error();  // TaskStore::insert
      throw;
    }
    t.id = db_.last_insert_rowid();
    insert_tags(t.id, user_id, t.tags);  // a new id has none (AUTOINCREMENT: never reused)
    return t;
  }

  std::optional<Task> find(std::string_view user_id, std::int64_t id) override {
    auto s = db_.prepare(std::string("SELECT ") + kTaskColumns +
                         " FROM tasks t WHERE t.user_id = ? AND t.id = ?");
    s.bind(1, user_id).bind(2, id);
    if (!s.step()) return std::nullopt;
    return read_task(s);
  }

  // SQLite has one writer: the write transaction already excludes every other writer.
  std::optional<Task> lock(std::string_view user_id, std::int64_t id) override {
    return find(user_id, id);
  }

  void update(const Task& t) override {
    auto s = db_.prepare(kUpdate);
    s.bind(1, t.title).bind(2, t.description).bind(3, std::int64_t(t.completed));
    s.bind(4, std::int64_t(t.priority)).bind(5, json_array(t.tags)).bind(6, t.due_at);
    s.bind(7, t.remind_at).bind(8, t.recurrence).bind(9, t.timezone).bind(10, t.updated_at);
    s.bind(11, t.completed_at).bind(12, t.version).bind(13, title_sort_key(t.title));
    s.bind(14, search_document(t.title, t.description)).bind(15, t.user_id).bind(16, t.id).run();
    if (db_.changes() == 1) replace_tags(t.id, t.user_id, t.tags);  // not another user's task
  }

  bool remove(std::string_view user_id, std::int64_t id) override {
    db_.prepare(kDelete).bind(1, user_id).bind(2, id).run();
    return db_.changes() == 1;
  }

  std::int64_t remove_all(std::string_view user_id) override {
    db_.prepare(kDeleteAll).bind(1, user_id).run();
    return db_.changes();
  }

  TaskPage list(std::string_view user_id, const TaskQuery& q) override;

 private:
  void replace_tags(std::int64_t task_id, std::string_view user_id,
                    const std::vector<std::string>& tags) {
    db_.prepare(kDeleteTaskTags).bind(1, task_id).bind(2, user_id).run();
    insert_tags(task_id, user_id, tags);
  }
  void insert_tags(std::int64_t task_id, std::string_view user_id,
                   const std::vector<std::string>& tags) {
    for (const auto& tag : tags)
      db_.prepare(kInsertTaskTag).bind(1, task_id).bind(2, user_id).bind(3, tag).run();
  }

  Handle& db_;
};

TaskPage SqliteTasks::list(std::string_view user_id, const TaskQuery& q) {
  // The SQL text depends only on which filters are present, so the statement cache holds
  // a handful of variants; values are always bound.
  const char* key = sort_expression(q.sort);
  const char* dir = q.ascending ? "ASC" : "DESC";
  std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks t WHERE t.user_id = ?";
  if (q.status == StatusFilter::pending) sql += " AND t.completed = 0";
  if (q.status == StatusFilter::completed) sql += " AND t.completed = 1";
  if (q.priority) sql += " AND t.priority = ?";
  for (std::size_t i = 0; i < q.tags.size(); ++i)
    sql += " AND EXISTS (SELECT 1 FROM task_tags g WHERE g.task_id = t.id AND g.tag = ?)";
  if (q.due_before) sql += " AND t.due_at < ?";
  if (q.due_after) sql += " AND t.due_at > ?";
  // Each needle a substring of search_text (instr: exact bytes, as PostgreSQL's LIKE), tested
  // on the user's rows as the sort's index yields them: a common term fills the page at
  // once, a rare one costs a pass over the user's tasks (migrations/sqlite/006 says why).
  for (std::size_t n = 0; n < q.search_terms.size(); ++n) sql += " AND instr(t.search_text, ?) > 0";
  if (q.after)
    sql += std::string(" AND (") + key + ", t.id) " + (q.ascending ? ">" : "<") + " (?, ?)";
  sql += std::string(" ORDER BY ") + key + " " + dir + ", t.id " + dir + " LIMIT ?";

  auto s = db_.prepare(sql);
  int i = 1;
  s.bind(i++, user_id);
  if (q.priority) s.bind(i++, std::int64_t(*q.priority));
  for (const auto& tag : q.tags) s.bind(i++, tag);
  if (q.due_before) s.bind(i++, *q.due_before);
  if (q.due_after) s.bind(i++, *q.due_after);
  for (const auto& needle : q.search_terms) s.bind(i++, needle);
  if (q.after) {
    if (auto* n = std::get_if<std::int64_t>(&q.after->key))
      s.bind(i++, *n);
    else
      s.bind(i++, std::get<std::string>(q.after->key));
    s.bind(i++, q.after->id);
  }
  s.bind(i++, std::int64_t(q.limit) + 1);  // one more tells whether a next page exists

  TaskPage page;
  while (s.step()) page.items.push_back(read_task(s));
  if (page.items.size() > std::size_t(q.limit)) {
    page.items.pop_back();
    const Task& last = page.items.back();
    page.next = Cursor{q.sort, q.ascending, sort_key(last, q.sort), last.id};
  }
  return page;
}

}  // namespace

std::unique_ptr<TaskStore> make_task_store(Handle& handle) {
  return std::make_unique<SqliteTasks>(handle);
}

void fill_task_keys(Handle& db) {
  std::int64_t after = 0;
  for (;;) {
    struct Row {
      std::int64_t id;
      std::string key, document;
    };
    std::vector<Row> rows;
    {
      auto s = db.prepare(kSelectKeysToFill);
      s.bind(1, after);
      while (s.step())
        rows.push_back(
            {s.int64(0), title_sort_key(s.text(1)), search_document(s.text(1), s.text(2))});
    }
    if (rows.empty()) return;
    for (const Row& r : rows)
      db.prepare(kFillKeys).bind(1, r.key).bind(2, r.document).bind(3, r.id).run();
    after = rows.back().id;
  }
}

}  // namespace todo::storage::sqlite
