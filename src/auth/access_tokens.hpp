#pragma once
// AccessTokens: checks personal access tokens (issue 12, item 1) for the Authenticator of
// every role, and keeps them current across processes.
//
//   - verify(token): the token's hash (auth/access_token.hpp) looked up in a small in-memory
//     cache (entries live `cache_ttl`), else in the database on a reader thread (the request's
//     coroutine waits without blocking its I/O thread). Unknown tokens are not cached (a
//     flood of made-up tokens cannot grow memory).
//   - Revocation is immediate: forget(id) after the revoking transaction committed drops the
//     token here; on PostgreSQL the other processes learn it from NOTIFY todo_access_tokens
//     (storage/access_token_store.hpp) and drop it too, and drop everything after their
//     listener (re)connects. A lookup that raced a forget() does not put what it read into
//     the cache (a generation counter), so a revoked token never comes back from a stale read.
//   - last_used_at: written at most once per `touch_interval` per token and process, as a
//     write of its own that the request does not wait for.
//   - Metrics: todo_token_auth_total{outcome=ok|expired|revoked|unknown|scope|forbidden}.
//
// Lifecycle: an app::Worker that serve builds for every role (start: the PostgreSQL
// listener; stop: before the database stops). Threads: the listener's (PostgreSQL only).
// Thread safety: every method may be called from any thread.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "app/module.hpp"
#include "auth/principal.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::auth {

struct AccessTokenOptions {
  std::string postgres_url;  // empty: SQLite, one process, nothing to listen to
  std::chrono::milliseconds cache_ttl{std::chrono::seconds(10)};
  std::chrono::milliseconds touch_interval{std::chrono::minutes(1)};
  std::size_t max_cached = 10000;  // past it the cache starts over (bounded memory)
};

// The 401 of a bad personal access token: problem subtype "invalid-token", which answers
// with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
Error invalid_access_token(std::string detail);

class AccessTokens final : public app::Worker {
 public:
  AccessTokens(storage::Database& db, ops::Metrics& metrics, AccessTokenOptions options);
  ~AccessTokens() override;

  std::string_view name() const override { return "access-tokens"; }
  void start() override;
  void stop() override;

  // The principal of `token` (a credential starting with "tdp_"): its user and scopes. 401
  // (invalid_access_token) when it is malformed, unknown, revoked or expired; 503 when the
  // database cannot be read now. Counts each refusal in todo_token_auth_total; the caller
  // counts the outcome of a token that verified (count()), after its scope check.
  boost::asio::awaitable<Result<Principal>> verify(std::string token);

  // Counts one outcome of todo_token_auth_total ("ok", "scope", "forbidden").
  void count(const char* outcome) const;

  // After a revocation of token `id` committed: refused by this process from now on.
  void forget(const std::string& id);
  // Drops every cached token (an account deletion; a listener reconnect).
  void forget_all();

  // PostgreSQL: whether LISTEN todo_access_tokens has been in place (since start()); from
  // then on revocations elsewhere reach this process. Always false on SQLite.
  bool listening() const { return listening_.load(); }

 private:
  struct Cached {
    std::string id, user_id;
    ScopeSet scopes = 0;
    std::optional<Millis> expires_at;
    bool revoked = false;
    Millis fetched_at = 0;
    Millis last_used_at = 0;  // what was written, or read from the database
  };
  void touch_if_due(const std::string& id, Millis last_used_at, Millis now);
  void count_n(const char* outcome, std::uint64_t n) const;

  storage::Database& db_;
  ops::Metrics& metrics_;
  AccessTokenOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;    // by token hash
  std::unordered_map<std::string, Millis> touched_;  // token id -> last write of last_used_at
  std::uint64_t generation_ = 0;                     // bumped by every forget
  std::atomic<bool> listening_{false};
  std::unique_ptr<storage::NotificationListener> listener_;
};

}  // namespace todo::auth
