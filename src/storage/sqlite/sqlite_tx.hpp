#pragma once
// SQLite implementation of the repository interface (storage/tx.hpp).
#include "storage/pooled_database.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {

class SqliteConnection final : public Connection, public Tx {
 public:
  explicit SqliteConnection(const std::string& path) : db_(path) {}

  // Connection
  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() noexcept override;
  Tx& tx() override { return *this; }
  bool ping() noexcept override;

  // Tx
  bool insert_user(const User& user, std::string_view password_hash) override;
  std::optional<UserCredentials> find_user_by_email(std::string_view email) override;
  std::optional<User> find_user_by_id(std::string_view id) override;
  Task insert_task(std::string_view user_id, const TaskFields& fields, Millis now) override;
  std::optional<Task> find_task(std::string_view user_id, std::int64_t id) override;
  std::optional<Task> lock_task(std::string_view user_id, std::int64_t id) override;
  void update_task(const Task& task) override;
  bool delete_task(std::string_view user_id, std::int64_t id) override;
  TaskPage list_tasks(std::string_view user_id, const TaskQuery& query) override;
  std::optional<IdempotentResponse> find_idempotent(std::string_view user_id,
                                                    std::string_view key) override;
  bool save_idempotent(std::string_view user_id, std::string_view key,
                       const IdempotentResponse& response, Millis now) override;
  void purge_idempotency_keys(Millis older_than) override;
  void insert_outbox(const OutboxRow& row, std::uint32_t pending_mask) override;
  std::vector<OutboxRow> pending_outbox(std::uint32_t subscriber_bit, int limit) override;
  void ack_outbox(std::uint32_t subscriber_bit, const std::vector<std::int64_t>& ids) override;
  OutboxStats outbox_stats(std::uint32_t subscriber_bit) override;
  std::vector<OutboxRow> claim_outbox(std::uint32_t subscriber_bit, std::string_view holder,
                                      int limit, Millis now, Millis lease_until) override;
  void release_outbox_claims(std::uint32_t subscriber_bit, std::string_view holder) override;
  bool insert_audit(const AuditRecord& record) override;
  AuditPage list_audit(std::string_view user_id, const AuditQuery& query) override;
  int purge_audit(Millis older_than, int max_rows) override;

  Handle& handle() { return db_; }

 private:
  void replace_tags(std::int64_t task_id, std::string_view user_id,
                    const std::vector<std::string>& tags);
  Handle db_;
};

}  // namespace todo::storage::sqlite
