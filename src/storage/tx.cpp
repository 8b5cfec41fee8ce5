#include "storage/tx.hpp"

#include "storage/postgres/pg_handle.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage {

void Tx::probe() {
  if (sqlite_)
    sqlite_->exec("SELECT 1");
  else
    postgres_->exec_script("SELECT 1");
}

void Tx::probe_write(long long now_ms) {
  if (sqlite_) {
    sqlite_
        ->prepare(
            "INSERT OR REPLACE INTO write_probe (id, probed_at, pad) VALUES (1, ?, "
            "zeroblob(16384))")
        .bind(1, std::int64_t(now_ms))
        .run();
  } else {
    postgres_->exec(
        "INSERT INTO write_probe (id, probed_at) VALUES (1, $1) "
        "ON CONFLICT (id) DO UPDATE SET probed_at = EXCLUDED.probed_at",
        postgres::Params().add(std::int64_t(now_ms)));
  }
}

const char* storage_fault_name(StorageFault fault) {
  switch (fault) {
    case StorageFault::none:
      return "ok";
    case StorageFault::full:
      return "full";
    case StorageFault::read_only:
      return "read_only";
    case StorageFault::io_error:
      return "io_error";
  }
  return "ok";
}

void Tx::notify_begin() {
  events_written_ = 0;
  for (auto& entry : stores_) entry.second->on_begin();
}

void Tx::notify_before_commit() {
  for (int rank = 0; rank <= 1; ++rank)
    for (auto& entry : stores_)
      if (entry.second->before_commit_rank() == rank) entry.second->before_commit();
}

void Tx::notify_rollback() noexcept {
  for (auto& entry : stores_) entry.second->on_rollback();
}

}  // namespace todo::storage
