#include "auth/revocation_service.hpp"

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/session_store.hpp"
#include "storage/sync.hpp"

namespace todo::auth {
namespace {

constexpr int kPurgeBatch = 1000;  // rows per table and resync: the writer is never held long

}  // namespace

RevocationService::RevocationService(storage::Database& db, RevocationState& state,
                                     RevocationServiceOptions options, ops::Metrics* metrics)
    : db_(db), state_(state), options_(std::move(options)) {
  if (metrics)
    metrics->add_gauge("todo_session_revocations",
                       "Ended sessions and per-account cutoffs this process refuses (in memory; "
                       "each goes once no token it concerns can be valid).",
                       [&state] { return double(state.size()); });
}

RevocationService::~RevocationService() {
  stop();
}

bool RevocationService::reload_all() {
  auto set = std::make_shared<storage::RevocationSet>();
  Millis now = now_millis();
  Status read = storage::read_and_wait(
      db_, [set, now](storage::Tx& tx) { *set = storage::sessions(tx).in_force(now); });
  if (!read) {
    log::warn("session revocations: cannot read them: {}", read.error().detail);
    return false;
  }
  state_.merge(set->tokens, set->cutoffs);
  return true;
}

bool RevocationService::reload_user(const std::string& user_id) {
  auto set = std::make_shared<storage::RevocationSet>();
  Millis now = now_millis();
  Status read = storage::read_and_wait(db_, [set, user_id, now](storage::Tx& tx) {
    *set = storage::sessions(tx).in_force_for(user_id, now);
  });
  if (!read) {
    log::warn("session revocations of {}: cannot read them: {}", user_id, read.error().detail);
    return false;
  }
  state_.merge(set->tokens, set->cutoffs);
  return true;
}

void RevocationService::load() {
  if (!reload_all())
    throw std::runtime_error("cannot read the session revocations from the database");
  log::debug("session revocations loaded: {} in force", state_.size());
}

void RevocationService::purge() {
  Millis now = now_millis();
  state_.purge(now);
  Status purged = storage::write_and_wait(
      db_, [now](storage::Tx& tx) { storage::sessions(tx).purge(now, kPurgeBatch); });
  if (!purged) log::warn("session revocations: purge failed: {}", purged.error().detail);
}

void RevocationService::resync_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, options_.resync, [this] { return stopping_; })) break;
    lock.unlock();
    reload_all();
    purge();
    lock.lock();
  }
}

void RevocationService::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  if (!options_.postgres_url.empty()) {
    listener_ =
        storage::listen_postgres_payloads(options_.postgres_url, storage::kSessionsChannel,
                                          [this](const std::optional<std::string>& user_id) {
                                            // On the listener's thread; never throws (a throw would
                                            // drop the connection).
                                            try {
                                              if (user_id && !user_id->empty())
                                                reload_user(*user_id);
                                              else
                                                reload_all();
                                            } catch (const std::exception& e) {
                                              log::warn("session revocations: {}", e.what());
                                            }
                                          });
  }
  resync_thread_ = std::thread([this] { resync_loop(); });
}

void RevocationService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (resync_thread_.joinable()) resync_thread_.join();
  listener_.reset();
}

}  // namespace todo::auth
