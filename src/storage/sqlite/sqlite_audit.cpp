// SQLite: the audit trail (storage/audit_store.hpp).
#include "storage/audit_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING";
// Bounded batches: the single writer is never held for long.
constexpr const char* kPurgeAudit =
    "DELETE FROM audit_log WHERE id IN "
    "(SELECT id FROM audit_log WHERE timestamp < ? ORDER BY timestamp LIMIT ?)";

AuditRecord read_audit(const Statement& s) {
  return AuditRecord{s.int64(0), s.text(1), s.text(2), s.text(3),
                     s.int64(4), s.text(5), s.int64(6)};
}

class SqliteAudit final : public AuditStore {
 public:
  explicit SqliteAudit(Handle& db) : db_(db) {}

  bool insert(const AuditRecord& r) override {
    db_.prepare(kInsertAudit)
        .bind(1, r.event_id)
        .bind(2, r.event_type)
        .bind(3, r.user_id)
        .bind(4, r.task_id)
        .bind(5, r.event_data)
        .bind(6, r.timestamp)
        .run();
    return db_.changes() == 1;
  }

  // One statement per row: SQLite statements are in-process calls, not round trips.
  int insert_many(const std::vector<AuditRecord>& records) override {
    int inserted = 0;
    for (const auto& r : records) inserted += insert(r) ? 1 : 0;
    return inserted;
  }

  AuditPage list(std::string_view user_id, const AuditQuery& q) override {
    if (q.limit < 1) return {};  // nothing asked for (the API never sends this)
    // The SQL text depends only on which filters are present; values are always bound.
    std::string sql =
        "SELECT id, event_id, event_type, user_id, task_id, event_data, timestamp "
        "FROM audit_log WHERE user_id = ?";
    if (!q.event_types.empty()) sql += " AND event_type IN (SELECT value FROM json_each(?))";
    if (q.task_id) sql += " AND task_id = ?";
    if (q.from) sql += " AND timestamp >= ?";
    if (q.to) sql += " AND timestamp < ?";
    if (q.before_id) sql += " AND id < ?";
    sql += " ORDER BY id DESC LIMIT ?";
    auto s = db_.prepare(sql);
    int i = 1;
    s.bind(i++, user_id);
    if (!q.event_types.empty()) s.bind(i++, json_array(q.event_types));
    if (q.task_id) s.bind(i++, *q.task_id);
    if (q.from) s.bind(i++, *q.from);
    if (q.to) s.bind(i++, *q.to);
    if (q.before_id) s.bind(i++, *q.before_id);
    s.bind(i++, std::int64_t(q.limit) + 1);
    AuditPage page;
    while (s.step()) page.items.push_back(read_audit(s));
    if (page.items.size() > std::size_t(q.limit)) {
      page.items.pop_back();
      page.next_before_id = page.items.back().id;
    }
    return page;
  }

  int purge(Millis older_than, int max_rows) override {
    db_.prepare(kPurgeAudit).bind(1, older_than).bind(2, std::int64_t(max_rows)).run();
    return db_.changes();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<AuditStore> make_audit_store(Handle& handle) {
  return std::make_unique<SqliteAudit>(handle);
}

}  // namespace todo::storage::sqlite
