#pragma once
// The audit trail (table `audit_log`: the seed's columns).
// SQL: storage/sqlite/sqlite_audit.cpp, storage/postgres/pg_audit.cpp.
//
// Uniqueness: an event is stored once. SQLite keys rows on event_id alone. PostgreSQL
// partitions audit_log by the UTC day of `timestamp` (migrations/postgres/016), and a
// unique index there must hold the partition key: it keys rows on (event_id, timestamp), so
// a redelivered event (same id, same timestamp, same partition) is still stored once, while
// an id reused with another timestamp is kept from the audit by the consumer contract's
// processed_events (consumer, event_id) row (bus/consumer.hpp), not by this store.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct AuditRecord {
  std::int64_t id = 0;
  std::string event_id;
  std::string event_type;
  std::string user_id;
  std::int64_t task_id = 0;
  std::string event_data;  // the event JSON as published
  Millis timestamp = 0;    // the event's timestamp
};

struct AuditQuery {
  std::vector<std::string> event_types;  // any of them; empty = all
  std::optional<std::int64_t> task_id;
  std::optional<Millis> from;  // timestamp >= from
  std::optional<Millis> to;    // timestamp < to
  int limit = 50;
  std::optional<std::int64_t> before_id;  // keyset cursor: rows with id < before_id
};

struct AuditPage {
  std::vector<AuditRecord> items;  // newest first (id descending)
  std::optional<std::int64_t> next_before_id;
};

// A day partition removed by AuditStore::drop_day_partitions.
struct DroppedPartition {
  std::string name;             // audit_log_pYYYYMMDD
  std::int64_t estimated_rows;  // PostgreSQL's estimate from its last ANALYZE (0: unknown)
};

class AuditStore : public Store {
 public:
  static std::unique_ptr<AuditStore> make(Tx& tx);
  // False (and nothing changed) when the event is stored already (see above: event_id on
  // SQLite, event_id with the same timestamp on PostgreSQL).
  virtual bool insert(const AuditRecord& record) = 0;
  // Many at once, in order (PostgreSQL: one statement); returns how many were new. An
  // event_id repeated within `records` counts once (the first one), on every backend.
  virtual int insert_many(const std::vector<AuditRecord>& records) = 0;
  virtual AuditPage list(std::string_view user_id, const AuditQuery& query) = 0;
  // Deletes at most max_rows rows with timestamp < older_than, oldest first; returns how many.
  virtual int purge(Millis older_than, int max_rows) = 0;

  // Retention by whole days (issue 16). PostgreSQL keeps one partition per UTC day and a
  // default partition for rows of days that have none; SQLite has one table, and there
  // these report false / do nothing / purge() everything.
  virtual bool has_day_partitions() const { return false; }
  // Creates the missing partitions of the `days` UTC days from the one holding `from`
  // (rows of those days waiting in the default partition move in); returns how many it
  // created. Throws DbError, e.g. lock_not_available when audit_log stayed locked 2 s.
  virtual int create_day_partitions(Millis from, int days) {
    (void)from, (void)days;
    return 0;
  }
  // Drops the partitions of the days that end at or before `older_than`, whole (a DROP
  // TABLE: no row-by-row delete, no bloat); returns them. Same errors as creation.
  virtual std::vector<DroppedPartition> drop_day_partitions(Millis older_than) {
    (void)older_than;
    return {};
  }
  // purge() restricted to the rows outside day partitions (PostgreSQL: the default
  // partition, a few strays); purge() itself where there are no day partitions.
  virtual int purge_outside_day_partitions(Millis older_than, int max_rows) {
    return purge(older_than, max_rows);
  }
};

namespace sqlite {
std::unique_ptr<AuditStore> make_audit_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<AuditStore> make_audit_store(Handle& handle);
}
inline std::unique_ptr<AuditStore> AuditStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_audit_store(*tx.sqlite())
                     : postgres::make_audit_store(*tx.postgres());
}

inline AuditStore& audit_log(Tx& tx) {
  return tx.get<AuditStore>();
}

}  // namespace todo::storage
