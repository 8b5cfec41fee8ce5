#pragma once
// MCP sessions (MCP 2025-06-18, "Transports" §Session Management): the id a server gives in
// Mcp-Session-Id at initialize, bound here to the authenticated user and the negotiated
// protocol version.
//
// In memory only, by design: a session holds no state beyond that binding (tools are
// stateless over the database), and the spec lets a server end a session at any time — a
// client that gets 404 starts a new one with initialize. So a restart, or a request reaching
// another replica, costs one initialize, and no migration or cross-replica store is needed.
//
// Limits: at most `max_per_user` sessions per user (the least recently used is ended to make
// room, so a client that never sends DELETE cannot lock its user out); a session unused for
// `idle` ends (checked on every access, and swept at every create).
//
// Thread safety: every method locks; callable from any I/O thread.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace todo::mcp {

struct Session {
  std::string user_id;
  std::string protocol_version;
  std::chrono::steady_clock::time_point last_used;
};

class SessionTable {
 public:
  using Clock = std::chrono::steady_clock;
  SessionTable(std::size_t max_per_user, std::chrono::seconds idle)
      : max_per_user_(max_per_user), idle_(idle) {}

  // A new session's id (64 hex characters from libsodium's CSPRNG).
  std::string create(const std::string& user_id, const std::string& protocol_version,
                     Clock::time_point now = Clock::now());
  // The session `id` of `user_id`, touched; nullopt when unknown, ended, expired or another
  // user's (all answered alike: 404, so ids of others cannot be probed).
  std::optional<Session> use(const std::string& id, const std::string& user_id,
                             Clock::time_point now = Clock::now());
  // Ends session `id` of `user_id`; false when there was none (as use()).
  bool end(const std::string& id, const std::string& user_id);
  std::size_t size() const;

 private:
  void sweep(Clock::time_point now);  // with mutex_ held

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
  std::unordered_map<std::string, std::size_t> per_user_;
  std::size_t max_per_user_;
  std::chrono::seconds idle_;
};

}  // namespace todo::mcp
