#pragma once
// A SQLite connection as the pool uses it (storage/pooled_database.hpp): BEGIN IMMEDIATE /
// COMMIT / ROLLBACK around the units of a batch, and the Tx through which they reach the
// feature stores (storage/sqlite/sqlite_<feature>.cpp).
#include <atomic>
#include <memory>
#include <string>

#include "storage/pooled_database.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const std::string& path) : db_(path), tx_(db_) {}

  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  Tx& tx() override { return tx_; }
  bool ping() noexcept override;

  Handle& handle() { return db_; }
  // The writer: when `wanted` is set (by the Checkpointer: the WAL is too large), a RESTART
  // checkpoint runs between batches; see sqlite_database.cpp.
  void restart_wal_when(std::shared_ptr<std::atomic<bool>> wanted) {
    wal_restart_ = std::move(wanted);
  }
  void between_batches() noexcept override;

 private:
  Handle db_;
  Tx tx_;
  std::shared_ptr<std::atomic<bool>> wal_restart_;
};

}  // namespace todo::storage::sqlite
