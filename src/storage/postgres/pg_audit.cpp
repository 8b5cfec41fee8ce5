// PostgreSQL: the audit trail (storage/audit_store.hpp). Same semantics as sqlite_audit.cpp.
#include "storage/audit_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

class PgAudit final : public AuditStore {
 public:
  explicit PgAudit(Handle& db) : db_(db) {}

  bool insert(const AuditRecord& a) override {
    Params p;
    p.add(a.event_id).add(a.event_type).add(a.user_id).add(a.task_id).add(a.event_data);
    p.add(a.timestamp);
    return db_.exec(
                  "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, "
                  "timestamp) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING",
                  p)
               .affected() == 1;
  }

  int insert_many(const std::vector<AuditRecord>& records) override {
    if (records.empty()) return 0;
    std::vector<std::string> event_ids, types, users, data;
    std::vector<std::int64_t> task_ids, timestamps;
    for (const auto& r : records) {
      event_ids.push_back(r.event_id);
      types.push_back(r.event_type);
      users.push_back(r.user_id);
      data.push_back(r.event_data);
      task_ids.push_back(r.task_id);
      timestamps.push_back(r.timestamp);
    }
    Params p;
    p.add(encode_text_array(event_ids)).add(encode_text_array(types)).add(encode_text_array(users));
    p.add(encode_int_array(task_ids))
        .add(encode_text_array(data))
        .add(encode_int_array(timestamps));
    return int(
        db_.exec("INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, "
                 "timestamp) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], "
                 "$4::bigint[], $5::text[], $6::bigint[]) ON CONFLICT (event_id) DO NOTHING",
                 p)
            .affected());
  }

  AuditPage list(std::string_view user_id, const AuditQuery& q) override {
    if (q.limit < 1) return {};  // nothing asked for (the API never sends this)
    Params p;
    p.add(user_id);
    std::string sql =
        "SELECT id, event_id, event_type, user_id, task_id, event_data, timestamp FROM audit_log "
        "WHERE user_id = $1";
    auto next = [&p] { return "$" + std::to_string(p.size()); };
    if (!q.event_types.empty()) {
      p.add(encode_text_array(q.event_types));
      sql += " AND event_type = ANY(" + next() + "::text[])";
    }
    if (q.task_id) {
      p.add(*q.task_id);
      sql += " AND task_id = " + next();
    }
    if (q.from) {
      p.add(*q.from);
      sql += " AND timestamp >= " + next();
    }
    if (q.to) {
      p.add(*q.to);
      sql += " AND timestamp < " + next();
    }
    if (q.before_id) {
      p.add(*q.before_id);
      sql += " AND id < " + next();
    }
    p.add(std::int64_t(q.limit) + 1);
    sql += " ORDER BY id DESC LIMIT " + next();
    auto r = db_.exec(sql, p);
    AuditPage page;
    for (int i = 0; i < r.size(); ++i)
      page.items.push_back(AuditRecord{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                                       r.int64(i, 4), r.text(i, 5), r.int64(i, 6)});
    if (page.items.size() > std::size_t(q.limit)) {
      page.items.pop_back();
      page.next_before_id = page.items.back().id;
    }
    return page;
  }

  int purge(Millis older_than, int max_rows) override {
    // Bounded batches keep each transaction (and its locks) short.
    return int(db_.exec("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log "
                        "WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)",
                        Params().add(older_than).add(std::int64_t(max_rows)))
                   .affected());
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<AuditStore> make_audit_store(Handle& handle) {
  return std::make_unique<PgAudit>(handle);
}

}  // namespace todo::storage::postgres
