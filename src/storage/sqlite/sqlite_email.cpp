// SQLite: the e-mail outbox (storage/email_store.hpp). One writer: a claim needs no row locks.
#include "storage/email_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kEnqueue =
    "INSERT INTO email_outbox (source_key, user_id, kind, task_id, recipient, headers, "
    "text_body, html_body, state, attempts, next_attempt_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9, ?10) "
    "ON CONFLICT (source_key) DO NOTHING";
constexpr const char* kClaimDueEmails =
    "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id IN ("
    "SELECT id FROM email_outbox WHERE state = 'pending' AND next_attempt_at <= ?1 "
    "ORDER BY next_attempt_at, id LIMIT ?3) "
    "RETURNING id, source_key, user_id, kind, task_id, recipient, headers, text_body, "
    "html_body, attempts, next_attempt_at, created_at";
constexpr const char* kNextDueEmail =
    "SELECT MIN(next_attempt_at) FROM email_outbox WHERE state = 'pending'";
constexpr const char* kMarkSent =
    "UPDATE email_outbox SET state = 'sent', finished_at = ?2, last_error = NULL WHERE id = ?1";
constexpr const char* kRetryAt =
    "UPDATE email_outbox SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1";
constexpr const char* kMarkFailed =
    "UPDATE email_outbox SET state = 'failed', finished_at = ?2, last_error = ?3 WHERE id = ?1";
constexpr const char* kPendingCount = "SELECT COUNT(*) FROM email_outbox WHERE state = 'pending'";
constexpr const char* kRemoveUserEmails = "DELETE FROM email_outbox WHERE user_id = ?";

class SqliteEmail final : public EmailStore {
 public:
  explicit SqliteEmail(Handle& db) : db_(db) {}

  bool enqueue(const OutgoingEmail& e) override {
    db_.prepare(kEnqueue)
        .bind(1, e.source_key)
        .bind(2, e.user_id)
        .bind(3, e.kind)
        .bind(4, e.task_id)
        .bind(5, e.recipient)
        .bind(6, e.headers)
        .bind(7, e.text_body)
        .bind(8, e.html_body)
        .bind(9, e.next_attempt_at)
        .bind(10, e.created_at)
        .run();
    return db_.changes() > 0;
  }

  std::vector<OutgoingEmail> claim_due(Millis now, Millis lease_until, int limit) override {
    auto s = db_.prepare(kClaimDueEmails);
    s.bind(1, now).bind(2, lease_until).bind(3, std::int64_t(limit));
    std::vector<OutgoingEmail> rows;
    while (s.step()) {
      OutgoingEmail e;
      e.id = s.int64(0);
      e.source_key = s.text(1);
      e.user_id = s.text(2);
      e.kind = s.text(3);
      e.task_id = s.opt_int64(4);
      e.recipient = s.text(5);
      e.headers = s.text(6);
      e.text_body = s.text(7);
      e.html_body = s.text(8);
      e.attempts = int(s.int64(9));
      e.next_attempt_at = s.int64(10);
      e.created_at = s.int64(11);
      rows.push_back(std::move(e));
    }
    return rows;
  }

  std::optional<Millis> next_due() override {
    auto s = db_.prepare(kNextDueEmail);
    return s.step() ? s.opt_int64(0) : std::nullopt;
  }

  void mark_sent(std::int64_t id, Millis now) override {
    db_.prepare(kMarkSent).bind(1, id).bind(2, now).run();
  }

  void retry_at(std::int64_t id, Millis at, std::string_view error) override {
    db_.prepare(kRetryAt).bind(1, id).bind(2, at).bind(3, error).run();
  }

  void mark_failed(std::int64_t id, Millis now, std::string_view error) override {
    db_.prepare(kMarkFailed).bind(1, id).bind(2, now).bind(3, error).run();
  }

  std::int64_t pending_count() override {
    auto s = db_.prepare(kPendingCount);
    return s.step() ? s.int64(0) : 0;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserEmails).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<EmailStore> make_email_store(Handle& handle) {
  return std::make_unique<SqliteEmail>(handle);
}

}  // namespace todo::storage::sqlite
