#pragma once
// PostgreSQL implementation of the repository interface (storage/tx.hpp). Same semantics
// as storage/sqlite/sqlite_tx.hpp; tags live in a text[] column (GIN-indexed) and search
// in a generated tsvector column instead of side tables.
#include "storage/pooled_database.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {

class PgConnection final : public Connection, public Tx {
 public:
  // `session_sql` runs on every (re)connect; writers pass SET synchronous_commit = on.
  explicit PgConnection(const std::string& url, std::string session_sql = {})
      : db_(url, std::move(session_sql)) {}

  // Connection
  void begin() override {
    outbox_buffer_.clear();
    db_.exec_script("BEGIN");
  }
  void commit() override;
  void rollback() noexcept override;
  Tx& tx() override { return *this; }
  bool ping() noexcept override;
  bool reconnect() noexcept override { return db_.reconnect(); }

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
  std::vector<OutboxStats> outbox_stats_many(const std::vector<std::uint32_t>& bits) override;
  std::vector<OutboxRow> claim_outbox(std::uint32_t subscriber_bit, std::string_view holder,
                                      int limit, Millis now, Millis lease_until) override;
  void release_outbox_claims(std::uint32_t subscriber_bit, std::string_view holder) override;
  bool insert_audit(const AuditRecord& record) override;
  int insert_audit_many(const std::vector<AuditRecord>& records) override;
  AuditPage list_audit(std::string_view user_id, const AuditQuery& query) override;
  int purge_audit(Millis older_than, int max_rows) override;

  Handle& handle() { return db_; }

 private:
  // Outbox rows are written with one multi-row INSERT just before COMMIT: one round trip
  // per batch instead of one per event keeps group commit fast. Their ids still follow
  // this writer's commit order. Semantics stay SQLite's: the outbox methods flush first
  // (a transaction sees its own rows), outside a transaction the row is written at once,
  // and begin()/rollback() drop what a rolled-back transaction buffered.
  void flush_outbox();
  Handle db_;
  std::vector<std::pair<OutboxRow, std::uint32_t>> outbox_buffer_;
};

}  // namespace todo::storage::postgres
