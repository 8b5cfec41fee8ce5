#pragma once
// A PostgreSQL connection as the pool uses it (storage/pooled_database.hpp): BEGIN / COMMIT
// / ROLLBACK around the units of a batch, reconnection, and the Tx through which units
// reach the feature stores (storage/postgres/pg_<feature>.cpp). Tags live in a text[]
// column (GIN-indexed) and search in a generated tsvector column.
#include <string>

#include "storage/pooled_database.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {

class PgConnection final : public Connection {
 public:
  // `session_sql` runs on every (re)connect; writers pass SET synchronous_commit = on.
  explicit PgConnection(const std::string& url, std::string session_sql = {})
      : db_(url, std::move(session_sql)), tx_(db_) {}

  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  Tx& tx() override { return tx_; }
  bool ping() noexcept override;
  bool reconnect() noexcept override { return db_.reconnect(); }

  Handle& handle() { return db_; }

 private:
  Handle db_;
  Tx tx_;
};

}  // namespace todo::storage::postgres
