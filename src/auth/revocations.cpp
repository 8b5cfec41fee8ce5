#include "auth/revocations.hpp"

#include <algorithm>
#include <mutex>

namespace todo::auth {

std::optional<Error> RevocationState::check(const JwtClaims& claims) const {
  // Most of the time nothing is revoked at all: one atomic load. Acquire pairs with the
  // release in count_locked(), so a revocation added before a request started is seen.
  if (entries_.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::shared_lock lock(mutex_);
  if (auto it = cutoffs_.find(claims.subject); it != cutoffs_.end()) {
    if (it->second.cutoff == kAccountDeleted) return account_deleted_error();
    if (claims.issued_at < it->second.cutoff)
      return Error::make(ErrorKind::unauthorized,
                         "the session has ended (signed out everywhere, or the password was "
                         "changed); sign in again");
  }
  if (tokens_.contains(claims.token_id))
    return Error::make(ErrorKind::unauthorized,
                       "the session has ended (signed out); sign in again");
  return std::nullopt;
}

void RevocationState::add_locked(const TokenRevocation& r) {
  auto [it, inserted] = tokens_.try_emplace(r.token_id, r.expires_at);
  if (!inserted) it->second = std::max(it->second, r.expires_at);
}

void RevocationState::add_locked(const UserCutoff& c) {
  auto [it, inserted] = cutoffs_.try_emplace(c.user_id, Cutoff{c.cutoff, c.expires_at});
  if (inserted) return;
  it->second.cutoff = std::max(it->second.cutoff, c.cutoff);
  it->second.expires_at = std::max(it->second.expires_at, c.expires_at);
}

void RevocationState::add(const TokenRevocation& revocation) {
  std::unique_lock lock(mutex_);
  add_locked(revocation);
  count_locked();
}

void RevocationState::add(const UserCutoff& cutoff) {
  std::unique_lock lock(mutex_);
  add_locked(cutoff);
  count_locked();
}

void RevocationState::merge(const std::vector<TokenRevocation>& tokens,
                            const std::vector<UserCutoff>& cutoffs) {
  if (tokens.empty() && cutoffs.empty()) return;
  std::unique_lock lock(mutex_);
  for (const auto& t : tokens) add_locked(t);
  for (const auto& c : cutoffs) add_locked(c);
  count_locked();
}

void RevocationState::purge(Millis now) {
  std::unique_lock lock(mutex_);
  std::erase_if(tokens_, [now](const auto& entry) { return entry.second <= now; });
  std::erase_if(cutoffs_, [now](const auto& entry) { return entry.second.expires_at <= now; });
  count_locked();
}

Millis RevocationState::cutoff_of(const std::string& user_id) const {
  std::shared_lock lock(mutex_);
  auto it = cutoffs_.find(user_id);
  return it == cutoffs_.end() ? 0 : it->second.cutoff;
}

std::size_t RevocationState::size() const {
  return entries_.load(std::memory_order_acquire);
}

}  // namespace todo::auth
