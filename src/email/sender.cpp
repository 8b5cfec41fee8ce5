#include "email/sender.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/log.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "storage/email_store.hpp"
#include "storage/notification_store.hpp"
#include "storage/sync.hpp"

namespace todo::email {
namespace {

constexpr int kBatch = 20;
// How long a claimed row stays away from other senders: longer than one send can take
// (connect + transfer timeouts), so a live sender never races another over a row.
constexpr Millis kLeaseMs = Millis{5} * 60 * 1000;
constexpr std::chrono::minutes kLongestSleep{5};
constexpr std::chrono::seconds kRetryAfterFailure{1};

// A factor in [0.5, 1]: senders retrying after the same outage spread out.
double jitter() {
  ensure_sodium();
  return 0.5 + 0.5 * (double(randombytes_uniform(1'000'001)) / 1'000'000.0);
}

}  // namespace

std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempts) {
  double delay = double(policy.base.count());
  for (int i = 1; i < attempts && delay < double(policy.max.count()); ++i) delay *= 2;
  return std::chrono::milliseconds(
      static_cast<long long>(std::min(delay, double(policy.max.count()))));
}

EmailSender::EmailSender(storage::Database& db, ops::Metrics& metrics, SmtpClient client,
                         RetryPolicy policy)
    : db_(db), metrics_(metrics), client_(std::move(client)), policy_(policy) {
  metrics_.describe("todo_emails_sent_total", "counter", "E-mails the SMTP server accepted.");
  metrics_.describe("todo_emails_failed_total", "counter",
                    "E-mails given up: a permanent SMTP reply, or retries exhausted (expired).");
  metrics_.describe("todo_email_retries_total", "counter",
                    "Sends that failed transiently and were scheduled again.");
  metrics_.add("todo_emails_sent_total", "", 0);
  metrics_.add("todo_emails_failed_total", "reason=\"permanent\"", 0);
  metrics_.add("todo_emails_failed_total", "reason=\"expired\"", 0);
  metrics_.add("todo_email_retries_total", "", 0);
}

EmailSender::~EmailSender() {
  stop();
}

void EmailSender::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void EmailSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EmailSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

bool EmailSender::send_due() {
  std::vector<storage::OutgoingEmail> batch;
  auto claimed = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    const Millis now = now_millis();
    batch = storage::email_outbox(tx).claim_due(now, now + kLeaseMs, kBatch);
  });
  if (!claimed) throw std::runtime_error(claimed.error().detail);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    if (stopping) {
      // Hand the rest back, due now, so that the next start sends them at once instead of
      // after the lease (their claim still counts as a try).
      auto released = storage::write_and_wait(db_, [&](storage::Tx& tx) {
        for (std::size_t j = i; j < batch.size(); ++j)
          storage::email_outbox(tx).retry_at(batch[j].id, now_millis(), "not sent: stopping");
      });
      if (!released)
        log::warn("email sender: {} e-mails stay claimed until their lease ends", batch.size() - i);
      return false;
    }
    record(batch[i], client_.send(batch[i]));
  }
  return int(batch.size()) == kBatch;
}

void EmailSender::record(const storage::OutgoingEmail& email, const SendResult& result) {
  const Millis now = now_millis();
  Outcome outcome = result.outcome;
  const char* failed_reason = outcome == Outcome::give_up ? "permanent" : nullptr;
  Millis next = 0;
  if (outcome == Outcome::retry_later) {
    next = now + Millis(double(backoff(policy_, email.attempts).count()) * jitter());
    if (email.attempts >= policy_.max_attempts || next - email.created_at > policy_.max_age.count())
      failed_reason = "expired";
  }
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    auto& outbox = storage::email_outbox(tx);
    if (outcome == Outcome::done) {
      outbox.mark_sent(email.id, now);
    } else if (!failed_reason) {
      outbox.retry_at(email.id, next, result.reply);
    } else {
      outbox.mark_failed(email.id, now, result.reply);
      storage::Notification n;
      n.user_id = email.user_id;
      n.event_id = time_ordered_uuid(now);
      n.kind = "email_failed";
      n.task_id = email.task_id;
      n.title = "E-mail to " + email.recipient + " could not be delivered: " + result.reply;
      n.created_at = now;
      storage::notifications(tx).insert(n);
    }
  });
  if (!status) {
    // The row stays claimed and is sent again when its lease ends (same Message-ID).
    log::warn("email sender: could not record the result of e-mail {}: {}", email.id,
              status.error().detail);
    return;
  }
  if (outcome == Outcome::done) {
    metrics_.add("todo_emails_sent_total", "", 1);
  } else if (failed_reason) {
    metrics_.add("todo_emails_failed_total", std::string("reason=\"") + failed_reason + "\"", 1);
    log::warn("email {} to user {} failed ({}): {}", email.id, email.user_id, failed_reason,
              result.reply);
  } else {
    metrics_.add("todo_email_retries_total", "", 1);
    log::info("email {} deferred (attempt {}): {}", email.id, email.attempts, result.reply);
  }
}

void EmailSender::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;  // e-mails enqueued after this point wake us again
    }
    std::chrono::milliseconds sleep = kLongestSleep;
    try {
      while (send_due()) {
      }
      std::optional<Millis> next;
      auto status = storage::read_and_wait(
          db_, [&](storage::Tx& tx) { next = storage::email_outbox(tx).next_due(); });
      if (!status) throw std::runtime_error(status.error().detail);
      if (next)
        sleep = std::clamp(std::chrono::milliseconds(*next - now_millis()),
                           std::chrono::milliseconds(0), std::chrono::milliseconds(kLongestSleep));
    } catch (const std::exception& e) {
      log::warn("email sender: {}; retrying in {} s", e.what(), kRetryAfterFailure.count());
      sleep = kRetryAfterFailure;
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, sleep, [this] { return stopping_ || woken_; });
  }
}

}  // namespace todo::email
