#pragma once
// The audit trail (table `audit_log`: the seed's columns; event_id is unique).
// SQL: storage/sqlite/sqlite_audit.cpp, storage/postgres/pg_audit.cpp.
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

class AuditStore : public Store {
 public:
  static std::unique_ptr<AuditStore> make(Tx& tx);
  // False (and nothing changed) when event_id is stored already.
  virtual bool insert(const AuditRecord& record) = 0;
  // Many at once, in order (PostgreSQL: one statement); returns how many were new.
  virtual int insert_many(const std::vector<AuditRecord>& records) = 0;
  virtual AuditPage list(std::string_view user_id, const AuditQuery& query) = 0;
  // Deletes at most max_rows rows with timestamp < older_than; returns how many.
  virtual int purge(Millis older_than, int max_rows) = 0;
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
