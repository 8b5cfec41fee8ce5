// PostgreSQL: tasks (storage/task_store.hpp). Same semantics as sqlite_tasks.cpp; tags live
// in a text[] column (GIN-indexed), search in search_text (pg_trgm GIN index).
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_tasks.hpp"
#include "storage/task_store.hpp"
#include "tasks/task_search.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kTaskColumns =
    "t.id, t.user_id, t.title, t.description, t.completed, t.priority, t.tags, t.due_at, "
    "t.remind_at, t.recurrence, t.timezone, t.created_at, t.updated_at, t.completed_at, "
    "t.version, t.series_id";

// A row of SELECT kTaskColumns, in either result format (the task reads ask for binary:
// no number or array text is printed there and parsed here).
Task read_task(const Rows& r, int row) {
  Task t;
  t.id = r.int64(row, 0);
  t.user_id = r.text(row, 1);
  t.title = r.text(row, 2);
  t.description = r.text(row, 3);
  t.completed = r.boolean(row, 4);
  t.priority = static_cast<Priority>(r.int64(row, 5));
  t.tags = r.text_array(row, 6);
  t.due_at = r.opt_int64(row, 7);
  t.remind_at = r.opt_int64(row, 8);
  t.recurrence = r.opt_text(row, 9);
  t.timezone = r.text(row, 10);
  t.created_at = r.int64(row, 11);
  t.updated_at = r.int64(row, 12);
  t.completed_at = r.opt_int64(row, 13);
  t.version = r.int64(row, 14);
  t.series_id = r.opt_int64(row, 15);
  return t;
}

// Each expression matches an index of migrations/postgres/001_init.sql or 006. Title keys
// compare with COLLATE "C" (byte order, as SQLite's BINARY) so that both backends page
// through titles identically, whatever the database's default collation.
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
      return "t.title_key COLLATE \"C\"";
  }
  return "t.created_at";
}

// A LIKE pattern matching `needle` anywhere: a substring test, exact (LIKE compares
// characters, case included), which the pg_trgm GIN index on search_text can serve.
std::string like_pattern(std::string_view needle) {
  std::string pattern = "%";
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

constexpr const char* kSelectKeysToFill =
    "SELECT id, title, description FROM tasks WHERE id > $1 ORDER BY id LIMIT 500";
constexpr const char* kFillKeys =
    "UPDATE tasks SET title_key = k.key, search_text = k.doc FROM "
    "unnest($1::bigint[], $2::text[], $3::text[]) AS k(id, key, doc) WHERE tasks.id = k.id";

// Ids drawn from the tasks' identity sequence at a time: one round trip per this many
// inserts. Ids a process drew but did not use are skipped (as a rolled-back insert's are).
constexpr int kIdsPerDraw = 128;
// The columns of one inserted row, and the most rows one INSERT statement carries: a batch is
// written in chunks of 64, 32, …, 1 rows, so that a connection prepares at most seven
// variants of the statement.
constexpr int kInsertColumns = 18;
constexpr int kMostRowsPerInsert = 64;
// The values of one updated row (PgTasks::update_rows), in chunks as the inserts.
constexpr int kUpdateColumns = 16;

// Calls write(first, count) over rows [0, n) in chunks of kMostRowsPerInsert, then 32, …, 1:
// so that each multi-row statement has one of at most seven sizes.
template <class Write>
void in_chunks(std::size_t n, Write write) {
  std::size_t done = 0;
  while (done < n) {
    std::size_t chunk = kMostRowsPerInsert;
    while (chunk > n - done) chunk /= 2;
    write(done, chunk);
    done += chunk;
  }
}

// The cached text of a statement for `count` rows (a power of two): cache[log2(count)],
// empty until its caller first builds it.
std::string& chunk_statement(std::vector<std::string>& cache, std::size_t count) {
  std::size_t k = 0;
  while ((std::size_t(1) << k) < count) ++k;
  if (cache.size() <= k) cache.resize(k + 1);
  return cache[k];
}

// New tasks are buffered and written with multi-row INSERTs just before COMMIT (rank 0 of
// Store::before_commit, before the outbox's and the live-update log's flushes, which take
// per-user locks: the task rows' foreign-key locks come first, as when each insert ran at
// once), and their ids are drawn ahead from the identity sequence, kIdsPerDraw at a time: a
// create then costs no round trip of its own (one extra round trip per create cost 23-39 %
// of the creates per second on 2 cores, bench/RESULTS.md, fourteenth session). Semantics
// stay those of an immediate insert: every other method flushes first (a transaction sees its
// own rows), outside a transaction a row is written at once, a rolled-back transaction's
// buffer is dropped. A foreign-key failure at the flush (the account was deleted meanwhile)
// carries the deleted account's answer (401), as the immediate insert's did.
//
// Updates are buffered the same way and written just before COMMIT, a batch's in multi-row
// UPDATEs (an update costs no round trip of its own either; the UPDATE follows the
// `SELECT … FOR UPDATE` of lock(), so the row is locked at the same point as before, and
// TaskService updates only rows it locked). One pending update per task: a later one of the
// same task replaces it (an UPDATE writes every field). Reads of one task (find, lock,
// remove) write only what is pending for that task first; list and remove_all write all.
class PgTasks final : public TaskStore {
 public:
  explicit PgTasks(Handle& db) : db_(db) {}

  void on_begin() override {
    buffer_.clear();
    updates_.clear();
  }
  void before_commit() override { flush(); }
  int before_commit_rank() const override { return 0; }
  void on_rollback() noexcept override {
    buffer_.clear();
    updates_.clear();
  }

  Task insert(std::string_view user_id, const TaskFields& f, Millis now,
              std::optional<std::int64_t> series_id) override {
    Task t = new_task(user_id, f, now);
    t.series_id = series_id;
    t.id = next_id();
    buffer_.push_back(t);
    if (db_.transaction_status() == PQTRANS_IDLE) flush();  // autocommit: no COMMIT to wait for
    return t;
  }

  std::optional<Task> find(std::string_view user_id, std::int64_t id) override {
    flush_task(user_id, id);
    const Statement statement = task_statement(user_id, id);
    return read_found_task(db_.exec(statement.sql, statement.params, ResultFormat::binary));
  }

  std::optional<Task> lock(std::string_view user_id, std::int64_t id) override {
    flush_task(user_id, id);
    Statement statement = task_statement(user_id, id);
    statement.sql += " FOR UPDATE";
    return read_found_task(db_.exec(statement.sql, statement.params, ResultFormat::binary));
  }

  void update(const Task& t) override {
    if (inserting(t.id)) flush_inserts();  // the row must exist for the UPDATE to find it
    auto same = std::find_if(updates_.begin(), updates_.end(),
                             [&](const Task& u) { return u.id == t.id && u.user_id == t.user_id; });
    if (same != updates_.end())
      *same = t;
    else
      updates_.push_back(t);
    if (db_.transaction_status() == PQTRANS_IDLE) flush_updates();  // autocommit
  }

  bool remove(std::string_view user_id, std::int64_t id) override {
    flush_task(user_id, id);
    return db_.exec("DELETE FROM tasks WHERE user_id = $1 AND id = $2",
                    Params().add(user_id).add(id))
               .affected() == 1;
  }

  std::int64_t remove_all(std::string_view user_id) override {
    flush();
    return db_.exec("DELETE FROM tasks WHERE user_id = $1", Params().add(user_id)).affected();
  }

  TaskPage list(std::string_view user_id, const TaskQuery& q) override;

 private:
  std::int64_t next_id() {
    if (ids_.empty()) {
      auto r = db_.exec(
          "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) FROM generate_series(1, $1)",
          Params().add(std::int64_t(kIdsPerDraw)));
      for (int i = r.size() - 1; i >= 0; --i) ids_.push_back(r.int64(i, 0));  // taken from the back
    }
    const std::int64_t id = ids_.back();
    ids_.pop_back();
    return id;
  }

  bool inserting(std::int64_t id) const {
    return std::any_of(buffer_.begin(), buffer_.end(), [&](const Task& t) { return t.id == id; });
  }
  // Writes what is pending for one task (its insert, its update) before a statement on it.
  void flush_task(std::string_view user_id, std::int64_t id) {
    if (inserting(id)) flush_inserts();
    if (std::any_of(updates_.begin(), updates_.end(),
                    [&](const Task& u) { return u.id == id && u.user_id == user_id; }))
      flush_updates();
  }
  void flush() {
    flush_inserts();
    flush_updates();
  }
  void flush_inserts();
  void write_rows(std::size_t first, std::size_t count);
  void flush_updates();
  void update_rows(std::size_t first, std::size_t count);

  Handle& db_;
  std::vector<Task> updates_;            // updated in this transaction, not yet written
  std::vector<std::string> update_sql_;  // the UPDATE of 2^k rows at [k], made on first use
  std::vector<Task> buffer_;             // inserted in this transaction, not yet written
  std::vector<std::int64_t> ids_;        // drawn ahead, the next one last
  std::vector<std::string> sql_;         // the INSERT of 2^k rows at [k], made on first use
};

void PgTasks::flush_updates() {
  if (updates_.empty()) return;
  try {
    in_chunks(updates_.size(), [this](std::size_t first, std::size_t n) { update_rows(first, n); });
  } catch (DbError&) {
    updates_.clear();  // the transaction is lost: it rolls back
    throw;
  }
  updates_.clear();
}

void PgTasks::update_rows(std::size_t first, std::size_t count) {
  std::string& sql = chunk_statement(update_sql_, count);
  if (sql.empty()) {
    // Every value cast: a VALUES list takes its columns' types from them.
    static constexpr const char* kTypes[kUpdateColumns] = {
        "text", "text",   "boolean", "smallint", "text[]", "bigint", "bigint", "text",
        "text", "bigint", "bigint",  "bigint",   "text",   "bigint", "text",   "text"};
    sql =
        "UPDATE tasks AS t SET title = v.title, description = v.description, "
        "completed = v.completed, priority = v.priority, tags = v.tags, due_at = v.due_at, "
        "remind_at = v.remind_at, recurrence = v.recurrence, timezone = v.timezone, "
        "updated_at = v.updated_at, completed_at = v.completed_at, version = v.version, "
        "title_key = v.title_key, search_text = v.search_text FROM (VALUES ";
    for (std::size_t row = 0; row < count; ++row) {
      sql += row ? ", (" : "(";
      for (int c = 0; c < kUpdateColumns; ++c) {
        if (c > 0) sql += ", ";
        sql += "$" + std::to_string(row * kUpdateColumns + std::size_t(c) + 1) + "::" + kTypes[c];
      }
      sql += ")";
    }
    sql +=
        ") AS v(title, description, completed, priority, tags, due_at, remind_at, recurrence, "
        "timezone, updated_at, completed_at, version, user_id, id, title_key, search_text) "
        "WHERE t.user_id = v.user_id AND t.id = v.id";
  }
  Params p;
  for (std::size_t i = first; i < first + count; ++i) {
    const Task& t = updates_[i];
    p.add(t.title).add(t.description).add_bool(t.completed).add(std::int64_t(t.priority));
    p.add_text_array(t.tags).add(t.due_at).add(t.remind_at).add(t.recurrence);
    p.add(t.timezone).add(t.updated_at).add(t.completed_at).add(t.version).add(t.user_id);
    p.add(t.id).add(title_sort_key(t.title)).add(search_document(t.title, t.description));
  }
  db_.exec(sql, p);
}

void PgTasks::flush_inserts() {
  if (buffer_.empty()) return;
  try {
    in_chunks(buffer_.size(), [this](std::size_t first, std::size_t n) { write_rows(first, n); });
  } catch (DbError& e) {
    buffer_.clear();  // the transaction is lost: it rolls back
    if (e.missing_reference) e.answer = account_deleted_error();
    throw;
  }
  buffer_.clear();
}

void PgTasks::write_rows(std::size_t first, std::size_t count) {
  std::string& sql = chunk_statement(sql_, count);
  if (sql.empty()) {
    sql =
        "INSERT INTO tasks (id, user_id, title, description, completed, priority, tags, due_at, "
        "remind_at, recurrence, timezone, created_at, updated_at, completed_at, version, "
        "title_key, search_text, series_id) OVERRIDING SYSTEM VALUE VALUES ";
    for (std::size_t row = 0; row < count; ++row) {
      sql += row ? ", (" : "(";
      for (int c = 1; c <= kInsertColumns; ++c) {
        if (c > 1) sql += ", ";
        sql += "$" + std::to_string(row * kInsertColumns + std::size_t(c));
        if (c == 7) sql += "::text[]";
      }
      sql += ")";
    }
  }
  Params p;
  for (std::size_t i = first; i < first + count; ++i) {
    const Task& t = buffer_[i];
    p.add(t.id).add(t.user_id).add(t.title).add(t.description).add_bool(t.completed);
    p.add(std::int64_t(t.priority)).add_text_array(t.tags).add(t.due_at).add(t.remind_at);
    p.add(t.recurrence).add(t.timezone).add(t.created_at).add(t.updated_at).add(t.completed_at);
    p.add(t.version).add(title_sort_key(t.title)).add(search_document(t.title, t.description));
    p.add(t.series_id);
  }
  db_.exec(sql, p);
}

TaskPage PgTasks::list(std::string_view user_id, const TaskQuery& q) {
  flush();
  const Statement statement = task_page_statement(user_id, q);
  return read_task_page(db_.exec(statement.sql, statement.params, ResultFormat::binary), q);
}

}  // namespace

Statement task_page_statement(std::string_view user_id, const TaskQuery& q) {
  // The SQL text depends only on which filters are present (so the per-connection
  // statement cache holds a bounded set of variants); every value is a parameter.
  Params p;
  auto param = [&p](const auto& value) {
    p.add(value);
    return "$" + std::to_string(p.size());
  };
  const std::string key = sort_expression(q.sort);
  const char* dir = q.ascending ? "ASC" : "DESC";
  std::string sql =
      std::string("SELECT ") + kTaskColumns + " FROM tasks t WHERE t.user_id = " + param(user_id);
  if (q.status == StatusFilter::pending) sql += " AND NOT t.completed";
  if (q.status == StatusFilter::completed) sql += " AND t.completed";
  if (q.priority) sql += " AND t.priority = " + param(std::int64_t(*q.priority));
  if (!q.tags.empty()) {
    p.add_text_array(q.tags);
    sql += " AND t.tags @> $" + std::to_string(p.size()) + "::text[]";
  }
  if (q.due_before) sql += " AND t.due_at < " + param(*q.due_before);
  if (q.due_after) sql += " AND t.due_at > " + param(*q.due_after);
  for (const auto& needle : q.search_terms)
    sql += " AND t.search_text LIKE " + param(like_pattern(needle));
  if (q.after) {
    std::string after_key = std::visit([&](const auto& k) { return param(k); }, q.after->key);
    sql += " AND (" + key + ", t.id) " + (q.ascending ? ">" : "<") + " (" + after_key + ", " +
           param(q.after->id) + ")";
  }
  sql += " ORDER BY " + key + " " + dir + ", t.id " + dir;
  sql += " LIMIT " + param(std::int64_t(q.limit) + 1);  // one more: is there a next page?
  return {std::move(sql), std::move(p)};
}

Statement task_statement(std::string_view user_id, std::int64_t id) {
  return {
      std::string("SELECT ") + kTaskColumns + " FROM tasks t WHERE t.user_id = $1 AND t.id = $2",
      Params().add(user_id).add(id)};
}

std::optional<Task> read_found_task(const Rows& r) {
  if (r.empty()) return std::nullopt;
  return read_task(r, 0);
}

TaskPage read_task_page(const Rows& r, const TaskQuery& q) {
  TaskPage page;
  page.items.reserve(std::size_t(r.size()));
  for (int row = 0; row < r.size(); ++row) page.items.push_back(read_task(r, row));
  if (page.items.size() > std::size_t(q.limit)) {
    page.items.pop_back();
    const Task& last = page.items.back();
    page.next = Cursor{q.sort, q.ascending, sort_key(last, q.sort), last.id};
  }
  return page;
}

std::unique_ptr<TaskStore> make_task_store(Handle& handle) {
  return std::make_unique<PgTasks>(handle);
}

void fill_task_keys(Handle& db) {
  std::int64_t after = 0;
  for (;;) {
    auto rows = db.exec(kSelectKeysToFill, Params().add(after));
    if (rows.empty()) return;
    std::vector<std::int64_t> ids;
    std::vector<std::string> keys, documents;
    for (int row = 0; row < rows.size(); ++row) {
      const std::string title = rows.text(row, 1);
      ids.push_back(rows.int64(row, 0));
      keys.push_back(title_sort_key(title));
      documents.push_back(search_document(title, rows.text(row, 2)));
    }
    db.exec(kFillKeys,
            Params().add_bigint_array(ids).add_text_array(keys).add_text_array(documents));
    after = ids.back();
  }
}

}  // namespace todo::storage::postgres
