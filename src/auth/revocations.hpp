#pragma once
// RevocationState: what this process refuses among tokens that are otherwise valid (issue
// 14, items 1 and 2), kept in memory so that checking a request costs no database round
// trip: the ended sessions by jti, and per user a cutoff time (tokens issued before it are
// refused; kAccountDeleted: every token, the account is gone). auth/session.hpp says where
// each comes from.
//
// It only grows between purges: a revocation is never undone, so merging what the database
// holds (at start, on a notification, on the periodic resync) into what this process added
// itself is always right, in any order (auth/revocation_service.hpp keeps it current).
// Entries go once no token they concern can be valid (purge(now) after their expires_at),
// so memory is bounded by the revocations of one token lifetime.
//
// Thread safety: every method may be called from any thread. check() is the hot path (every
// authenticated request): a shared lock, or only an atomic load while nothing is revoked.
#include <atomic>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/jwt.hpp"
#include "auth/session.hpp"
#include "core/error.hpp"

namespace todo::auth {

class RevocationState {
 public:
  // nullopt when `claims` (already verified: signature, times, issuer, audience) may pass;
  // else the 401 to answer: the account no longer exists, or the session has ended.
  std::optional<Error> check(const JwtClaims& claims) const;

  void add(const TokenRevocation& revocation);
  // Keeps the later cutoff of the one held and this one (and the later expiry).
  void add(const UserCutoff& cutoff);
  void merge(const std::vector<TokenRevocation>& tokens, const std::vector<UserCutoff>& cutoffs);
  // Forgets the entries whose expires_at <= now.
  void purge(Millis now);

  // The user's cutoff (0 when none): sessions issued from then on are valid.
  Millis cutoff_of(const std::string& user_id) const;
  std::size_t size() const;

 private:
  void add_locked(const TokenRevocation& revocation);
  void add_locked(const UserCutoff& cutoff);
  void count_locked() {
    entries_.store(tokens_.size() + cutoffs_.size(), std::memory_order_release);
  }

  struct Cutoff {
    Millis cutoff = 0;
    Millis expires_at = 0;
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Millis> tokens_;   // jti -> expires_at
  std::unordered_map<std::string, Cutoff> cutoffs_;  // user id -> cutoff
  std::atomic<std::size_t> entries_{0};              // tokens_ + cutoffs_, read without the lock
};

}  // namespace todo::auth
