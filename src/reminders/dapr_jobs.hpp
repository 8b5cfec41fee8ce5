#pragma once
// DaprJobs: the distributed shape's scheduler — each reminder job mirrored into the Dapr Jobs
// API (ARCHITECTURE.md §4, Dapr "Jobs API" v1.0-alpha1) instead of the embedded scheduler:
//   pending job   -> POST   /v1.0-alpha1/jobs/reminder-{task_id}
//                    {"dueTime": "<fire_at, RFC 3339>", "data": {task_id, user_id, remind_at,
//                     fire_at}, "overwrite": true,
//                     "failurePolicy": {"constant": {"interval": "5s"}}}  (retried until answered)
//   any other     -> DELETE /v1.0-alpha1/jobs/reminder-{task_id} (a 404 is fine: gone already)
// The sidecar then calls POST /job/reminder-{task_id} on this app (never another one) at
// dueTime, with the app token; reminders/firing.hpp fire_job() makes that trigger fire once.
//
// What to tell the sidecar comes from reminder_jobs itself (revision / synced_revision), so
// nothing is lost when the sidecar is down or the process dies between a commit and the call:
// the row stays unsynced and is sent again. A worker thread sends the unsynced rows when woken
// (a consumer commit, a snooze) and after a failure, with a backoff from 250 ms to 30 s.
//
// Calls go through net::HttpClient with the sidecar's DAPR_API_TOKEN; they block this worker's
// thread only. Metrics: todo_dapr_jobs_total{outcome=scheduled|deleted|failed}.
// Lifecycle: start() / stop() (joins). Threads: one of its own; wake() from any thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "app/module.hpp"
#include "net/http_client.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "storage/reminder_store.hpp"

namespace todo::reminders {

struct DaprJobsOptions {
  std::string base_url;   // "http://127.0.0.1:3500"
  std::string api_token;  // DAPR_API_TOKEN; empty: none sent
  std::chrono::milliseconds timeout{5000};
};

// The job's name and the body of its POST (pure; unit-tested).
std::string dapr_job_name(std::int64_t task_id);
std::string dapr_job_body(const storage::ReminderJob& job);

class DaprJobs final : public app::Worker {
 public:
  DaprJobs(storage::Database& db, ops::Metrics& metrics, DaprJobsOptions options);
  ~DaprJobs() override;
  std::string_view name() const override { return "dapr-jobs"; }
  void start() override;
  void stop() override;
  void wake();

 private:
  void run();
  // Sends every unsynced row; false when a call failed (then retried after a backoff).
  bool sync_all();
  bool sync_one(const storage::ReminderStore::Unsynced& row);

  storage::Database& db_;
  ops::Metrics& metrics_;
  DaprJobsOptions options_;
  net::HttpClient client_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = true;  // sync at start: rows may have changed while the process was down
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace todo::reminders
