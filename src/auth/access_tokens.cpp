#include "auth/access_tokens.hpp"

#include "auth/access_token.hpp"
#include "core/log.hpp"
#include "storage/access_token_store.hpp"
#include "storage/await.hpp"

namespace todo::auth {
namespace {

constexpr const char* kAuthMetric = "todo_token_auth_total";

Millis to_millis(std::chrono::milliseconds d) {
  return Millis(d.count());
}

}  // namespace

Error invalid_access_token(std::string detail) {
  Error e = Error::make(ErrorKind::unauthorized, std::move(detail));
  e.subtype = "invalid-token";
  e.title = "Invalid token";
  e.challenge = "Bearer error=\"invalid_token\"";
  return e;
}

AccessTokens::AccessTokens(storage::Database& db, ops::Metrics& metrics, AccessTokenOptions options)
    : db_(db), metrics_(metrics), options_(std::move(options)) {
  metrics_.describe(kAuthMetric, "counter",
                    "Requests with a personal access token, by outcome (ok, expired, revoked, "
                    "unknown, scope: a scope the token lacks, forbidden: another user's path).");
  for (const char* outcome : {"ok", "expired", "revoked", "unknown", "scope", "forbidden"})
    count_n(outcome, 0);
}

AccessTokens::~AccessTokens() {
  stop();
}

void AccessTokens::count_n(const char* outcome, std::uint64_t n) const {
  metrics_.add(kAuthMetric, std::string("outcome=\"") + outcome + "\"", n);
}

void AccessTokens::count(const char* outcome) const {
  count_n(outcome, 1);
}

void AccessTokens::start() {
  if (options_.postgres_url.empty()) return;
  listener_ = storage::listen_postgres_payloads(
      options_.postgres_url, storage::kAccessTokensChannel,
      [this](const std::optional<std::string>& id) {
        // On the listener's thread. Nothing here throws but allocation.
        if (id && !id->empty()) {
          forget(*id);
        } else {
          forget_all();  // a (re)connect, or an account deleted: whatever may have been missed
          if (!id) listening_ = true;
        }
      });
}

void AccessTokens::stop() {
  listener_.reset();
}

void AccessTokens::forget(const std::string& id) {
  std::lock_guard lock(mutex_);
  ++generation_;
  std::erase_if(cache_, [&id](const auto& entry) { return entry.second.id == id; });
}

void AccessTokens::forget_all() {
  std::lock_guard lock(mutex_);
  ++generation_;
  cache_.clear();
}

boost::asio::awaitable<Result<Principal>> AccessTokens::verify(std::string token) {
  if (!is_access_token_form(token)) {
    count("unknown");
    co_return invalid_access_token("this is not a valid personal access token");
  }
  const std::string hash = access_token_hash(token);
  Millis now = now_millis();
  std::optional<Cached> found;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
    if (auto it = cache_.find(hash);
        it != cache_.end() && now - it->second.fetched_at < to_millis(options_.cache_ttl))
      found = it->second;
  }
  if (!found) {
    auto lookup = [hash](storage::Tx& tx) {
      return Result<std::optional<storage::AccessTokenRow>>(
          storage::access_tokens(tx).find_by_hash(hash));
    };
    auto row = co_await storage::db_read<std::optional<storage::AccessTokenRow>>(db_, metrics_,
                                                                                 std::move(lookup));
    if (!row) co_return row.error();
    // The database found it by equality on the hash; comparing again in constant time costs
    // nothing and keeps timing out of the picture should the lookup ever change.
    if (!*row || !same_access_token_hash((*row)->token_hash, hash)) {
      count("unknown");
      co_return invalid_access_token("unknown personal access token");
    }
    const auto& r = **row;
    now = now_millis();
    found = Cached{r.id,
                   r.user_id,
                   parse_scopes_text(r.scopes),
                   r.expires_at,
                   r.revoked_at.has_value(),
                   now,
                   r.last_used_at.value_or(0)};
    std::lock_guard lock(mutex_);
    if (generation == generation_) {  // no revocation raced this read
      if (cache_.size() >= options_.max_cached) cache_.clear();
      cache_[hash] = *found;
    }
  }
  if (found->revoked) {
    count("revoked");
    co_return invalid_access_token("this personal access token was revoked");
  }
  if (found->expires_at && *found->expires_at <= now) {
    count("expired");
    co_return invalid_access_token("this personal access token has expired");
  }
  touch_if_due(found->id, found->last_used_at, now);
  co_return Principal{found->user_id, found->scopes, found->id};
}

void AccessTokens::touch_if_due(const std::string& id, Millis last_used_at, Millis now) {
  const Millis interval = to_millis(options_.touch_interval);
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = touched_.try_emplace(id, last_used_at);
    if (!inserted && it->second > last_used_at) last_used_at = it->second;
    if (now - last_used_at < interval) return;
    if (touched_.size() > options_.max_cached) touched_.clear();
    touched_[id] = now;
  }
  // Off the request's path: the request does not wait for this write; a failure only leaves
  // last_used_at older.
  db_.write([id, now](storage::Tx& tx) { storage::access_tokens(tx).touch(id, now); },
            [id](Status status) {
              if (!status)
                log::debug("access token {}: last use not recorded: {}", id, status.error().detail);
            });
}

}  // namespace todo::auth
