#pragma once
// RevocationService: keeps this process's RevocationState (auth/revocations.hpp) in step with
// the database, so that a session ended in any process — the api replica that took the
// sign-out, or another role on the same PostgreSQL (the audit role verifies the same tokens)
// — is refused here too, without a database round trip per request.
//
//   - load(): everything in force, before the server accepts requests.
//   - PostgreSQL: LISTEN todo_sessions. The revoking transaction sends NOTIFY with the user id
//     (storage/session_store.hpp), delivered once it committed; this process then reads that
//     user's revocations. After every (re)connect of the listener it reads them all, as
//     notifications may have been missed meanwhile.
//   - Every `resync` interval, a safety net on both backends: read everything in force again,
//     forget what expired (memory stays bounded), and delete expired rows in small batches.
// The revoking process itself does not wait for any of this: it adds what it revoked to its
// own state right after the commit (Authenticator::revoked).
//
// Lifecycle: an app::Worker that serve builds for every role, before the modules; start()
// after load(), stop() before the database stops. Threads: the listener's thread (PostgreSQL)
// and one resync thread; both only block on the database's reader pool.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/module.hpp"
#include "auth/revocations.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::auth {

struct RevocationServiceOptions {
  std::string postgres_url;  // empty: SQLite, one process, nothing to listen to
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
};

class RevocationService final : public app::Worker {
 public:
  // Registers the gauge todo_session_revocations on `metrics` (null: none).
  RevocationService(storage::Database& db, RevocationState& state, RevocationServiceOptions options,
                    ops::Metrics* metrics = nullptr);
  ~RevocationService() override;

  std::string_view name() const override { return "session-revocations"; }
  // Reads every revocation in force into the state; throws std::runtime_error when the
  // database cannot be read (the start then fails with that line).
  void load();
  void start() override;
  void stop() override;

 private:
  // Both return false (and log) when the database could not be read; the state keeps what it
  // had, and the next notification or resync tries again.
  bool reload_all();
  bool reload_user(const std::string& user_id);
  void purge();
  void resync_loop();

  storage::Database& db_;
  RevocationState& state_;
  RevocationServiceOptions options_;
  std::unique_ptr<storage::NotificationListener> listener_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread resync_thread_;
};

}  // namespace todo::auth
