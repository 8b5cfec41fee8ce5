#include "storage/sqlite/sqlite_tx.hpp"

#include <boost/json.hpp>

namespace todo::storage::sqlite {
namespace {

constexpr const char* kTaskColumns =
    "t.id, t.user_id, t.title, t.description, t.completed, t.priority, t.tags, t.due_at, "
    "t.remind_at, t.recurrence, t.timezone, t.created_at, t.updated_at, t.completed_at, "
    "t.version";

std::string tags_to_json(const std::vector<std::string>& tags) {
  boost::json::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return boost::json::serialize(a);
}

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
      return "t.title";
  }
  return "t.created_at";
}

// FTS5 query: every term as a quoted prefix ("term"*), implicitly AND-ed. Terms hold only
// letters and digits (tasks/task_json.cpp), so quoting cannot be broken out of.
std::string fts_query(const std::vector<std::string>& terms) {
  std::string q;
  for (const auto& term : terms) {
    if (!q.empty()) q += ' ';
    q += '"' + term + "\"*";
  }
  return q;
}

}  // namespace

void SqliteConnection::rollback() noexcept {
  try {
    if (!sqlite3_get_autocommit(db_.raw())) db_.exec("ROLLBACK");
  } catch (...) {
    // A failed rollback leaves SQLite in autocommit already; nothing more to undo.
  }
}

bool SqliteConnection::ping() noexcept {
  try {
    db_.exec("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

bool SqliteConnection::insert_user(const User& user, std::string_view password_hash) {
  auto s = db_.prepare(
      "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (email) DO NOTHING");
  s.bind(1, user.id).bind(2, user.email).bind(3, user.name).bind(4, password_hash);
  s.bind(5, user.created_at).run();
  return db_.changes() == 1;
}

std::optional<UserCredentials> SqliteConnection::find_user_by_email(std::string_view email) {
  auto s =
      db_.prepare("SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?");
  s.bind(1, email);
  if (!s.step()) return std::nullopt;
  return UserCredentials{User{s.text(0), s.text(1), s.text(2), s.int64(3)}, s.text(4)};
}

std::optional<User> SqliteConnection::find_user_by_id(std::string_view id) {
  auto s = db_.prepare("SELECT id, email, name, created_at FROM users WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return User{s.text(0), s.text(1), s.text(2), s.int64(3)};
}

void SqliteConnection::replace_tags(std::int64_t task_id, std::string_view user_id,
                                    const std::vector<std::string>& tags) {
  db_.prepare("DELETE FROM task_tags WHERE task_id = ?").bind(1, task_id).run();
  for (const auto& tag : tags) {
    db_.prepare("INSERT OR IGNORE INTO task_tags (task_id, user_id, tag) VALUES (?, ?, ?)")
        .bind(1, task_id)
        .bind(2, user_id)
        .bind(3, tag)
        .run();
  }
}

Task SqliteConnection::insert_task(std::string_view user_id, const TaskFields& f, Millis now) {
  Task t;
  t.user_id = std::string(user_id);
  t.title = f.title;
  t.description = f.description;
  t.completed = f.completed;
  t.priority = f.priority;
  t.tags = f.tags;
  t.due_at = f.due_at;
  t.remind_at = f.remind_at;
  t.recurrence = f.recurrence;
  t.timezone = f.timezone;
  t.created_at = t.updated_at = now;
  if (f.completed) t.completed_at = now;
  t.version = 1;
  auto s = db_.prepare(
      "INSERT INTO tasks (user_id, title, description, completed, priority, tags, due_at, "
      "remind_at, recurrence, timezone, created_at, updated_at, completed_at, version) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, user_id).bind(2, t.title).bind(3, t.description).bind(4, std::int64_t(t.completed));
  s.bind(5, std::int64_t(t.priority)).bind(6, tags_to_json(t.tags)).bind(7, t.due_at);
  s.bind(8, t.remind_at).bind(9, t.recurrence).bind(10, t.timezone).bind(11, t.created_at);
  s.bind(12, t.updated_at).bind(13, t.completed_at).bind(14, t.version).run();
  t.id = db_.last_insert_rowid();
  if (!t.tags.empty()) replace_tags(t.id, user_id, t.tags);
  return t;
}

std::optional<Task> SqliteConnection::find_task(std::string_view user_id, std::int64_t id) {
  auto s = db_.prepare(std::string("SELECT ") + kTaskColumns +
                       " FROM tasks t WHERE t.user_id = ? AND t.id = ?");
  s.bind(1, user_id).bind(2, id);
  if (!s.step()) return std::nullopt;
  return read_task(s);
}

// SQLite has one writer: the write transaction already excludes every other writer.
std::optional<Task> SqliteConnection::lock_task(std::string_view user_id, std::int64_t id) {
  return find_task(user_id, id);
}

void SqliteConnection::update_task(const Task& t) {
  auto s = db_.prepare(
      "UPDATE tasks SET title = ?, description = ?, completed = ?, priority = ?, tags = ?, "
      "due_at = ?, remind_at = ?, recurrence = ?, timezone = ?, updated_at = ?, "
      "completed_at = ?, version = ? WHERE user_id = ? AND id = ?");
  s.bind(1, t.title).bind(2, t.description).bind(3, std::int64_t(t.completed));
  s.bind(4, std::int64_t(t.priority)).bind(5, tags_to_json(t.tags)).bind(6, t.due_at);
  s.bind(7, t.remind_at).bind(8, t.recurrence).bind(9, t.timezone).bind(10, t.updated_at);
  s.bind(11, t.completed_at).bind(12, t.version).bind(13, t.user_id).bind(14, t.id).run();
  replace_tags(t.id, t.user_id, t.tags);
}

bool SqliteConnection::delete_task(std::string_view user_id, std::int64_t id) {
  db_.prepare("DELETE FROM tasks WHERE user_id = ? AND id = ?").bind(1, user_id).bind(2, id).run();
  return db_.changes() == 1;
}

TaskPage SqliteConnection::list_tasks(std::string_view user_id, const TaskQuery& q) {
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
  if (!q.search_terms.empty())
    sql += " AND t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)";
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
  if (!q.search_terms.empty()) s.bind(i++, fts_query(q.search_terms));
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

std::optional<IdempotentResponse> SqliteConnection::find_idempotent(std::string_view user_id,
                                                                    std::string_view key) {
  auto s = db_.prepare(
      "SELECT fingerprint, status, body FROM idempotency_keys WHERE user_id = ? AND key = ?");
  s.bind(1, user_id).bind(2, key);
  if (!s.step()) return std::nullopt;
  return IdempotentResponse{s.text(0), int(s.int64(1)), s.text(2)};
}

bool SqliteConnection::save_idempotent(std::string_view user_id, std::string_view key,
                                       const IdempotentResponse& r, Millis now) {
  auto s = db_.prepare(
      "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING");
  s.bind(1, user_id).bind(2, key).bind(3, r.request_fingerprint).bind(4, std::int64_t(r.status));
  s.bind(5, r.body).bind(6, now).run();
  return db_.changes() == 1;
}

void SqliteConnection::purge_idempotency_keys(Millis older_than) {
  // Bounded batches keep the writer's transaction short.
  db_.prepare(
         "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key "
         "FROM idempotency_keys WHERE created_at < ? LIMIT 1000)")
      .bind(1, older_than)
      .run();
}

}  // namespace todo::storage::sqlite
