#pragma once
// The e-mail outbox (table `email_outbox`, migration 011): rendered e-mails waiting for the
// SMTP sender (src/email/sender.hpp), and what became of them. SQL:
// storage/sqlite/sqlite_email.cpp, storage/postgres/pg_email.cpp.
//
// A row is claimed by moving its next_attempt_at to a lease's end in the claiming
// transaction (on PostgreSQL rows another transaction holds are skipped: FOR UPDATE SKIP
// LOCKED), so several senders share the table and a sender that dies mid-send leaves the
// row due again once the lease ends (sent again with the same Message-ID).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct OutgoingEmail {
  std::int64_t id = 0;
  std::string source_key;  // "reminder:<event_id>", "notice:<event_id>": unique
  std::string user_id;
  std::string kind;  // "reminder", "completion"
  std::optional<std::int64_t> task_id;
  std::string recipient;  // the bare address (SMTP RCPT TO)
  std::string headers;    // RFC 5322 header lines, CRLF-separated (src/email/message.hpp)
  std::string text_body;
  std::string html_body;
  int attempts = 0;  // sends tried so far (a claim counts one)
  Millis next_attempt_at = 0;
  Millis created_at = 0;
};

class EmailStore : public Store {
 public:
  static std::unique_ptr<EmailStore> make(Tx& tx);
  // Adds a pending row due at e.next_attempt_at; false (and nothing written) when a row of
  // e.source_key exists already.
  virtual bool enqueue(const OutgoingEmail& e) = 0;
  // Up to `limit` pending rows due at `now`, oldest due first (then oldest enqueued); each gets
  // attempts + 1 and next_attempt_at = lease_until in this transaction.
  virtual std::vector<OutgoingEmail> claim_due(Millis now, Millis lease_until, int limit) = 0;
  // The earliest next_attempt_at of a pending row.
  virtual std::optional<Millis> next_due() = 0;
  virtual void mark_sent(std::int64_t id, Millis now) = 0;
  virtual void retry_at(std::int64_t id, Millis at, std::string_view error) = 0;
  virtual void mark_failed(std::int64_t id, Millis now, std::string_view error) = 0;
  // Pending rows (for /readyz and tests).
  virtual std::int64_t pending_count() = 0;
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<EmailStore> make_email_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<EmailStore> make_email_store(Handle& handle);
}
inline std::unique_ptr<EmailStore> EmailStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_email_store(*tx.sqlite())
                     : postgres::make_email_store(*tx.postgres());
}

inline EmailStore& email_outbox(Tx& tx) {
  return tx.get<EmailStore>();
}

}  // namespace todo::storage
