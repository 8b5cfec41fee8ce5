// PostgreSQL: the audit trail (storage/audit_store.hpp), on audit_log partitioned by UTC day
// (migrations/postgres/016_audit_partitions.sql). Same semantics as sqlite_audit.cpp but for
// uniqueness (the store header says how) and the day partitions.
#include "storage/postgres/pg_audit.hpp"

#include <unordered_set>

namespace todo::storage::postgres {
namespace {

// The unique index of a partitioned table holds the partition key: (event_id, timestamp).
constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, timestamp) DO NOTHING";
constexpr const char* kInsertAuditMany =
    "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], "
    "$6::bigint[]) ON CONFLICT (event_id, timestamp) DO NOTHING";
// Bounded batches keep each transaction (and its locks) short. Rows are addressed by the
// primary key (timestamp, id): id alone has no index of its own across partitions.
constexpr const char* kPurgeAudit =
    "DELETE FROM audit_log WHERE (timestamp, id) IN (SELECT timestamp, id FROM audit_log "
    "WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)";
constexpr const char* kPurgeDefaultPartition =
    "DELETE FROM audit_log_default WHERE (timestamp, id) IN (SELECT timestamp, id FROM "
    "audit_log_default WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)";
// One round trip for every day: the function (migration 016) skips the existing ones.
constexpr const char* kCreateDayPartitions =
    "SELECT count(*) FILTER (WHERE audit_log_create_partition(day)) "
    "FROM generate_series($1::bigint, $2::bigint, 86400000) AS day";
constexpr const char* kDropDayPartitions =
    "SELECT partition_name, estimated_rows FROM audit_log_drop_partitions($1)";

constexpr Millis kDayMs = 24LL * 3600 * 1000;

// The start of the UTC day holding `t` (floor, also for times before 1970).
Millis day_start(Millis t) {
  Millis r = t % kDayMs;
  return t - (r < 0 ? r + kDayMs : r);
}

class PgAudit final : public AuditStore {
 public:
  explicit PgAudit(Handle& db) : db_(db) {}

  bool insert(const AuditRecord& a) override {
    Params p;
    p.add(a.event_id).add(a.event_type).add(a.user_id).add(a.task_id).add(a.event_data);
    p.add(a.timestamp);
    return db_.exec(kInsertAudit, p).affected() == 1;
  }

  int insert_many(const std::vector<AuditRecord>& records) override {
    if (records.empty()) return 0;
    std::vector<std::string> event_ids, types, users, data;
    std::vector<std::int64_t> task_ids, timestamps;
    // The first of an id repeated in the list: the unique key (event_id, timestamp) would
    // take a repeat with another timestamp as a second event.
    std::unordered_set<std::string_view> seen;
    for (const auto& r : records) {
      if (!seen.insert(r.event_id).second) continue;
      event_ids.push_back(r.event_id);
      types.push_back(r.event_type);
      users.push_back(r.user_id);
      data.push_back(r.event_data);
      task_ids.push_back(r.task_id);
      timestamps.push_back(r.timestamp);
    }
    Params p;
    p.add_text_array(event_ids).add_text_array(types).add_text_array(users);
    p.add_bigint_array(task_ids).add_text_array(data).add_bigint_array(timestamps);
    return int(db_.exec(kInsertAuditMany, p).affected());
  }

  AuditPage list(std::string_view user_id, const AuditQuery& q) override {
    if (q.limit < 1) return {};  // nothing asked for (the API never sends this)
    auto [sql, params] = audit_list_statement(user_id, q);
    return read_audit_page(db_.exec(sql, params), q);
  }

  int purge(Millis older_than, int max_rows) override {
    return int(
        db_.exec(kPurgeAudit, Params().add(older_than).add(std::int64_t(max_rows))).affected());
  }

  bool has_day_partitions() const override { return true; }

  int create_day_partitions(Millis from, int days) override {
    if (days < 1) return 0;
    const Millis first = day_start(from);
    auto r =
        db_.exec(kCreateDayPartitions, Params().add(first).add(first + Millis(days - 1) * kDayMs));
    return int(r.int64(0, 0));
  }

  std::vector<DroppedPartition> drop_day_partitions(Millis older_than) override {
    auto r = db_.exec(kDropDayPartitions, Params().add(older_than));
    std::vector<DroppedPartition> out;
    out.reserve(r.size());
    for (int i = 0; i < r.size(); ++i) out.push_back({r.text(i, 0), r.int64(i, 1)});
    return out;
  }

  int purge_outside_day_partitions(Millis older_than, int max_rows) override {
    return int(
        db_.exec(kPurgeDefaultPartition, Params().add(older_than).add(std::int64_t(max_rows)))
            .affected());
  }

 private:
  Handle& db_;
};

}  // namespace

std::pair<std::string, Params> audit_list_statement(std::string_view user_id, const AuditQuery& q) {
  Params p;
  p.add(user_id);
  std::string sql =
      "SELECT id, event_id, event_type, user_id, task_id, event_data, timestamp FROM audit_log "
      "WHERE user_id = $1";
  auto next = [&p] { return "$" + std::to_string(p.size()); };
  if (!q.event_types.empty()) {
    p.add_text_array(q.event_types);
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
  return {std::move(sql), std::move(p)};
}

AuditPage read_audit_page(const Rows& r, const AuditQuery& q) {
  AuditPage page;
  page.items.reserve(std::size_t(r.size()));
  for (int i = 0; i < r.size(); ++i)
    page.items.push_back(AuditRecord{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                                     r.int64(i, 4), r.text(i, 5), r.int64(i, 6)});
  if (page.items.size() > std::size_t(q.limit)) {
    page.items.pop_back();
    page.next_before_id = page.items.back().id;
  }
  return page;
}

std::unique_ptr<AuditStore> make_audit_store(Handle& handle) {
  return std::make_unique<PgAudit>(handle);
}

}  // namespace todo::storage::postgres
