#pragma once
// EmailSender: the worker that sends the e-mail outbox (storage/email_store.hpp) over SMTP.
//
// Its thread claims due rows in a write transaction (each claim moves the row's
// next_attempt_at to the end of a lease and counts the attempt; on PostgreSQL several senders
// share the table, FOR UPDATE SKIP LOCKED), sends them one by one outside any transaction
// (email/smtp_client.hpp), and records each result in a transaction of its own:
//   done         -> sent (todo_emails_sent_total);
//   retry_later  -> due again after an exponential backoff with jitter: base * 2^(attempts-1),
//                   capped at retry_max, times a random factor in [0.5, 1]
//                   (todo_email_retries_total); past max_attempts, or when the next try would
//                   come later than max_age after the e-mail was enqueued -> failed
//                   (todo_emails_failed_total{reason="expired"});
//   give_up      -> failed (todo_emails_failed_total{reason="permanent"}).
// A failed e-mail becomes an in-app notification of kind "email_failed" for its user ("E-mail
// to … could not be delivered: <reply>"), written with the failure in one transaction.
// A sender that dies mid-send leaves the row claimed; it is due again when the lease ends and
// is sent again with the same Message-ID. A sender asked to stop hands the claimed rows it
// did not send back (due at once).
//
// It does not poll: the thread sleeps until the earliest due row, or until wake() (a
// consumer enqueued e-mails), or stop(); the sleep is capped at five minutes so that rows
// written by another process are noticed.
//
// Lifecycle: start() once the database is open; stop() finishes the e-mail in hand and joins.
// Threads: one of its own; wake() from any thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/module.hpp"
#include "email/smtp_client.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::email {

struct RetryPolicy {
  std::chrono::milliseconds base{30000};
  std::chrono::milliseconds max{3600000};
  int max_attempts = 10;
  std::chrono::milliseconds max_age{24 * 3600 * 1000};
};

// The delay before try `attempts` + 1 after `attempts` tries failed transiently, before
// jitter: base * 2^(attempts-1), at most policy.max. Pure.
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempts);

class EmailSender final : public app::Worker {
 public:
  EmailSender(storage::Database& db, ops::Metrics& metrics, SmtpClient client, RetryPolicy policy);
  ~EmailSender() override;
  std::string_view name() const override { return "email-sender"; }
  void start() override;
  void stop() override;
  void wake();

 private:
  void run();
  // Claims and sends one batch; true when the batch was full (more may be due).
  bool send_due();
  void record(const storage::OutgoingEmail& email, const SendResult& result);

  storage::Database& db_;
  ops::Metrics& metrics_;
  SmtpClient client_;
  RetryPolicy policy_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace todo::email
