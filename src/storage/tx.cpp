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

void Tx::notify_begin() {
  for (auto& entry : stores_) entry.second->on_begin();
}

void Tx::notify_before_commit() {
  for (auto& entry : stores_) entry.second->before_commit();
}

void Tx::notify_rollback() noexcept {
  for (auto& entry : stores_) entry.second->on_rollback();
}

}  // namespace todo::storage
