#pragma once
// ReminderScheduler: the embedded scheduler of the single binary (and of any role run over the
// embedded bus). Its jobs live in the database (reminder_jobs), so a restart loses nothing: at
// start it fires what came due while the process was down (missed beyond the horizon). It does
// not poll: its thread sleeps until the earliest pending fire_at, or until wake() (a consumer
// commit that scheduled or moved a reminder, a snooze), or stop(); the sleep is capped at five
// minutes so that a wall-clock change, or a job written by another process, is noticed.
// Due jobs are fired in transactions of up to 500 (reminders/firing.hpp).
//
// Metrics: todo_reminders_fired_total, todo_reminders_missed_total,
// todo_reminders_stale_total, todo_reminder_lag_seconds (fire_at -> notification committed).
// Lifecycle: start() once the database is open; stop() joins the thread (the transaction in
// hand finishes). Threads: one of its own; wake() from any thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/module.hpp"
#include "bus/outbox_writer.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "storage/stream_store.hpp"

namespace todo::reminders {

class ReminderScheduler final : public app::Worker {
 public:
  // `stream`: told after each commit which users' live-update logs got notifications.
  ReminderScheduler(storage::Database& db, const bus::OutboxWriter& outbox, ops::Metrics& metrics,
                    std::chrono::milliseconds horizon,
                    const storage::StreamSignal* stream = nullptr);
  ~ReminderScheduler() override;
  std::string_view name() const override { return "reminder-scheduler"; }
  void start() override;
  void stop() override;
  void wake();

  // Fires every job due now; returns how many fired. Throws std::runtime_error when the
  // database fails (run() retries after a second).
  int fire_now();

 private:
  void run();

  storage::Database& db_;
  const bus::OutboxWriter& outbox_;
  ops::Metrics& metrics_;
  std::chrono::milliseconds horizon_;
  const storage::StreamSignal* stream_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace todo::reminders
