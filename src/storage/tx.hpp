#pragma once
// Tx: the repository interface. One implementation per backend (storage/sqlite,
// storage/postgres); both pass tests/unit/storage_test.cpp and the HTTP integration suite.
//
// A Tx is only ever used on a database thread, inside a transaction that the Database
// (database.hpp) opened; its methods are synchronous. Expected outcomes are return values;
// database failures throw storage::DbError, which makes the Database roll back.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.hpp"
#include "tasks/task.hpp"

namespace todo::storage {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
  bool transient = true;  // connection lost, busy, serialization failure: worth a retry
};

// A response remembered for an Idempotency-Key (user, key).
struct IdempotentResponse {
  std::string
      request_fingerprint;  // hash of method + path + body: a reuse with another body is a 409
  int status = 0;
  std::string body;
};

// One row of the transactional outbox: an event written in the same transaction as the
// task change it describes. pending_mask has one bit per subscriber still to deliver to
// (bus/subscriber.hpp); the row is deleted once no bit is left.
struct OutboxRow {
  std::int64_t id = 0;  // commit order per user (one writer per user, see database.hpp)
  std::string event_id;
  std::string user_id;
  std::string topic;
  std::string payload;  // the event JSON (ARCHITECTURE.md §4)
  Millis created_at = 0;
};

struct OutboxStats {
  std::int64_t pending = 0;                 // rows some subscriber still needs
  std::optional<Millis> oldest_created_at;  // of those rows
};

// One row of audit_log (the seed's columns plus stored_at, for the audit-lag metric).
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

class Tx {
 public:
  virtual ~Tx() = default;

  // Users. insert_user returns false when the e-mail is taken.
  virtual bool insert_user(const User& user, std::string_view password_hash) = 0;
  virtual std::optional<UserCredentials> find_user_by_email(std::string_view email) = 0;
  virtual std::optional<User> find_user_by_id(std::string_view id) = 0;

  // Tasks. Every method filters by user_id.
  virtual Task insert_task(std::string_view user_id, const TaskFields& fields, Millis now) = 0;
  virtual std::optional<Task> find_task(std::string_view user_id, std::int64_t id) = 0;
  // find_task for a read-modify-write: the row stays locked until the transaction ends, so
  // concurrent writers (PostgreSQL has several) cannot lose each other's updates.
  virtual std::optional<Task> lock_task(std::string_view user_id, std::int64_t id) = 0;
  // Writes every field of `task` (matched on user_id and id); the caller has set
  // updated_at, completed_at and the incremented version.
  virtual void update_task(const Task& task) = 0;
  virtual bool delete_task(std::string_view user_id, std::int64_t id) = 0;
  virtual TaskPage list_tasks(std::string_view user_id, const TaskQuery& query) = 0;

  // Idempotency keys (kept 24 h; see purge_idempotency_keys).
  virtual std::optional<IdempotentResponse> find_idempotent(std::string_view user_id,
                                                            std::string_view key) = 0;
  // false when another transaction stored this key first (the caller must not keep its
  // own result: it retries and replays the stored response).
  virtual bool save_idempotent(std::string_view user_id, std::string_view key,
                               const IdempotentResponse& response, Millis now) = 0;
  virtual void purge_idempotency_keys(Millis older_than) = 0;

  // Outbox. insert_outbox runs in the task change's transaction.
  virtual void insert_outbox(const OutboxRow& row, std::uint32_t pending_mask) = 0;
  // Up to `limit` rows whose mask has `subscriber_bit`, in id order.
  virtual std::vector<OutboxRow> pending_outbox(std::uint32_t subscriber_bit, int limit) = 0;
  // Clears `subscriber_bit` on these rows and deletes the rows no subscriber needs anymore.
  virtual void ack_outbox(std::uint32_t subscriber_bit, const std::vector<std::int64_t>& ids) = 0;
  virtual OutboxStats outbox_stats(std::uint32_t subscriber_bit) = 0;  // bit 0 = any
  // The same for several bits at once (one scan where the backend can).
  virtual std::vector<OutboxStats> outbox_stats_many(const std::vector<std::uint32_t>& bits) {
    std::vector<OutboxStats> out;
    for (auto bit : bits) out.push_back(outbox_stats(bit));
    return out;
  }
  // For several processes relaying one outbox (api replicas on PostgreSQL): up to `limit`
  // pending rows, in id order, of users that no other holder has claimed (or whose claim
  // expired); those users are then claimed by `holder` until `lease_until`. So one user's
  // events are relayed by one process at a time, in order. `holder`'s earlier claims end
  // first. A write unit.
  virtual std::vector<OutboxRow> claim_outbox(std::uint32_t subscriber_bit, std::string_view holder,
                                              int limit, Millis now, Millis lease_until) = 0;
  // Ends `holder`'s claims and tells the other processes (PostgreSQL NOTIFY todo_outbox).
  virtual void release_outbox_claims(std::uint32_t subscriber_bit, std::string_view holder) = 0;

  // Audit. insert_audit returns false (and changes nothing) when event_id is stored already.
  virtual bool insert_audit(const AuditRecord& record) = 0;
  // Many at once (PostgreSQL: one statement); returns how many were new.
  virtual int insert_audit_many(const std::vector<AuditRecord>& records) {
    int inserted = 0;
    for (const auto& r : records) inserted += insert_audit(r) ? 1 : 0;
    return inserted;
  }
  virtual AuditPage list_audit(std::string_view user_id, const AuditQuery& query) = 0;
  // Deletes at most max_rows rows with timestamp < older_than; returns how many.
  virtual int purge_audit(Millis older_than, int max_rows) = 0;
};

}  // namespace todo::storage
