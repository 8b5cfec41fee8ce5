// PostgreSQL: the e-mail outbox (storage/email_store.hpp). Several senders may share the
// table: a claim locks the due rows it takes and skips those another transaction holds.
#include "storage/email_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kEnqueue =
    "INSERT INTO email_outbox (source_key, user_id, kind, task_id, recipient, headers, "
    "text_body, html_body, state, attempts, next_attempt_at, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10) "
    "ON CONFLICT (source_key) DO NOTHING";
constexpr const char* kClaimDueEmails =
    "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = $2 WHERE id IN ("
    "SELECT id FROM email_outbox WHERE state = 'pending' AND next_attempt_at <= $1 "
    "ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, source_key, user_id, kind, task_id, recipient, headers, text_body, "
    "html_body, attempts, next_attempt_at, created_at";
constexpr const char* kNextDueEmail =
    "SELECT MIN(next_attempt_at) FROM email_outbox WHERE state = 'pending'";
constexpr const char* kMarkSent =
    "UPDATE email_outbox SET state = 'sent', finished_at = $2, last_error = NULL WHERE id = $1";
constexpr const char* kRetryAt =
    "UPDATE email_outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1";
constexpr const char* kMarkFailed =
    "UPDATE email_outbox SET state = 'failed', finished_at = $2, last_error = $3 WHERE id = $1";
constexpr const char* kPendingCount = "SELECT COUNT(*) FROM email_outbox WHERE state = 'pending'";
constexpr const char* kRemoveUserEmails = "DELETE FROM email_outbox WHERE user_id = $1";

class PgEmail final : public EmailStore {
 public:
  explicit PgEmail(Handle& db) : db_(db) {}

  bool enqueue(const OutgoingEmail& e) override {
    return db_.exec(kEnqueue, Params()
                                  .add(e.source_key)
                                  .add(e.user_id)
                                  .add(e.kind)
                                  .add(e.task_id)
                                  .add(e.recipient)
                                  .add(e.headers)
                                  .add(e.text_body)
                                  .add(e.html_body)
                                  .add(e.next_attempt_at)
                                  .add(e.created_at))
               .affected() > 0;
  }

  std::vector<OutgoingEmail> claim_due(Millis now, Millis lease_until, int limit) override {
    auto r = db_.exec(kClaimDueEmails, Params().add(now).add(lease_until).add(std::int64_t(limit)));
    std::vector<OutgoingEmail> rows;
    rows.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) {
      OutgoingEmail e;
      e.id = r.int64(i, 0);
      e.source_key = r.text(i, 1);
      e.user_id = r.text(i, 2);
      e.kind = r.text(i, 3);
      e.task_id = r.opt_int64(i, 4);
      e.recipient = r.text(i, 5);
      e.headers = r.text(i, 6);
      e.text_body = r.text(i, 7);
      e.html_body = r.text(i, 8);
      e.attempts = int(r.int64(i, 9));
      e.next_attempt_at = r.int64(i, 10);
      e.created_at = r.int64(i, 11);
      rows.push_back(std::move(e));
    }
    return rows;
  }

  std::optional<Millis> next_due() override {
    auto r = db_.exec(kNextDueEmail, Params());
    return r.empty() ? std::nullopt : r.opt_int64(0, 0);
  }

  void mark_sent(std::int64_t id, Millis now) override {
    db_.exec(kMarkSent, Params().add(id).add(now));
  }

  void retry_at(std::int64_t id, Millis at, std::string_view error) override {
    db_.exec(kRetryAt, Params().add(id).add(at).add(error));
  }

  void mark_failed(std::int64_t id, Millis now, std::string_view error) override {
    db_.exec(kMarkFailed, Params().add(id).add(now).add(error));
  }

  std::int64_t pending_count() override {
    auto r = db_.exec(kPendingCount, Params());
    return r.empty() ? 0 : r.int64(0, 0);
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUserEmails, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<EmailStore> make_email_store(Handle& handle) {
  return std::make_unique<PgEmail>(handle);
}

}  // namespace todo::storage::postgres
