#include "reminders/dapr_jobs.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/sync.hpp"
#include "tasks/task_writer.hpp"

namespace todo::reminders {
namespace {

constexpr int kSyncBatch = 100;
constexpr std::chrono::milliseconds kMinBackoff{250};
constexpr std::chrono::milliseconds kMaxBackoff{30'000};

}  // namespace

std::string dapr_job_name(std::int64_t task_id) {
  return "reminder-" + std::to_string(task_id);
}

std::string dapr_job_body(const storage::ReminderJob& job) {
  std::string out = "{\"dueTime\":";
  append_json_time(out, job.fire_at);
  out += ",\"data\":{\"task_id\":" + std::to_string(job.task_id) + ",\"user_id\":";
  append_json_string(out, job.user_id);
  out += ",\"remind_at\":";
  append_json_time(out, job.remind_at);
  out += ",\"fire_at\":";
  append_json_time(out, job.fire_at);
  // Dapr's default failure policy drops a job after 3 failed triggers, 1 s apart: a reminder
  // would be lost to a short outage of this role. Retried every 5 s instead, until answered
  // (a stale or repeated trigger is answered 200 and does nothing).
  out += "},\"overwrite\":true,\"failurePolicy\":{\"constant\":{\"interval\":\"5s\"}}}";
  return out;
}

DaprJobs::DaprJobs(storage::Database& db, ops::Metrics& metrics, DaprJobsOptions options)
    : db_(db),
      metrics_(metrics),
      options_(std::move(options)),
      client_(net::HttpClientOptions{.max_queue = 16,
                                     .max_connections_per_host = 2,
                                     .max_total_connections = 2,
                                     .connect_timeout = options_.timeout,
                                     .timeout = options_.timeout,
                                     .user_agent = "todo-reminders"}) {
  metrics_.describe("todo_dapr_jobs_total", "counter",
                    "Reminder jobs told to the Dapr Jobs API, by outcome (scheduled, deleted, "
                    "failed).");
  for (const char* o : {"scheduled", "deleted", "failed"})
    metrics_.add("todo_dapr_jobs_total", std::string("outcome=\"") + o + "\"", 0);
}

DaprJobs::~DaprJobs() {
  stop();
}

void DaprJobs::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void DaprJobs::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
  client_.stop();
}

void DaprJobs::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

bool DaprJobs::sync_one(const storage::ReminderStore::Unsynced& row) {
  const bool schedule = row.job.state == storage::ReminderState::pending;
  net::Request request;
  request.method = schedule ? net::Method::post : net::Method::del;
  request.url = options_.base_url + "/v1.0-alpha1/jobs/" + dapr_job_name(row.job.task_id);
  if (!options_.api_token.empty())
    request.headers.push_back({"dapr-api-token", options_.api_token});
  if (schedule) {
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = dapr_job_body(row.job);
  }
  net::Response res = client_.send_and_wait(std::move(request));
  const bool ok = res.ok() || (!schedule && res.status == 404);
  if (!ok) {
    metrics_.add("todo_dapr_jobs_total", "outcome=\"failed\"", 1);
    log::warn("dapr jobs: {} {} failed: {}", schedule ? "scheduling" : "deleting",
              dapr_job_name(row.job.task_id), res.status ? res.body.substr(0, 200) : res.reason);
    return false;
  }
  metrics_.add("todo_dapr_jobs_total", schedule ? "outcome=\"scheduled\"" : "outcome=\"deleted\"",
               1);
  auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    storage::reminders(tx).mark_synced(row.job.task_id, row.revision);
  });
  return status.ok();
}

bool DaprJobs::sync_all() {
  for (;;) {
    std::vector<storage::ReminderStore::Unsynced> rows;
    auto status = storage::read_and_wait(
        db_, [&](storage::Tx& tx) { rows = storage::reminders(tx).unsynced(kSyncBatch); });
    if (!status) return false;
    for (const auto& row : rows) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return true;
      }
      if (!sync_one(row)) return false;
    }
    if (int(rows.size()) < kSyncBatch) return true;
  }
}

void DaprJobs::run() {
  auto backoff = kMinBackoff;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wakeup_.wait(lock, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    if (sync_all()) {
      backoff = kMinBackoff;
      continue;
    }
    // Try again after the backoff (or sooner when woken by a new change).
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, backoff, [this] { return stopping_ || woken_; });
    woken_ = true;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace todo::reminders
