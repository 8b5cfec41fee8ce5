// SQLite: webhook endpoints and deliveries (storage/webhook_store.hpp). One writer: a claim
// needs no row locks, the lease alone keeps a row from being taken twice.
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/webhook_store.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kHookColumns =
    "SELECT id, user_id, url, event_types, secret, enabled, disabled_reason, "
    "consecutive_failures, created_at, updated_at FROM webhooks ";
constexpr const char* kInsertHook =
    "INSERT INTO webhooks (user_id, url, event_types, secret, enabled, disabled_reason, "
    "consecutive_failures, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kUpdateHook =
    "UPDATE webhooks SET url = ?3, event_types = ?4, enabled = ?5, disabled_reason = ?6, "
    "consecutive_failures = ?7, updated_at = ?8 WHERE user_id = ?1 AND id = ?2";
constexpr const char* kCountHooks = "SELECT COUNT(*) FROM webhooks WHERE user_id = ?";
constexpr const char* kDeleteHookDeliveries =
    "DELETE FROM webhook_deliveries WHERE webhook_id = ?2 AND user_id = ?1";
constexpr const char* kDeleteHook = "DELETE FROM webhooks WHERE user_id = ?1 AND id = ?2";
constexpr const char* kAddDelivery =
    "INSERT INTO webhook_deliveries (webhook_id, user_id, event_id, msg_id, event_type, payload, "
    "attempt, state, next_attempt_at, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 'pending', ?7, ?8, ?8) "
    "ON CONFLICT (webhook_id, event_id) DO NOTHING";
constexpr const char* kDeliveryColumns =
    "SELECT id, webhook_id, user_id, event_id, msg_id, event_type, attempt, state, last_status, "
    "last_error, duration_ms, next_attempt_at, created_at, updated_at";
constexpr const char* kDeliveryLog =
    " FROM webhook_deliveries WHERE user_id = ?1 AND webhook_id = ?2 AND id < ?3 "
    "ORDER BY id DESC LIMIT ?4";
constexpr const char* kDueDeliveries =
    ", payload FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1 "
    "ORDER BY next_attempt_at LIMIT ?2";
constexpr const char* kLeaseDelivery =
    "UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1";
constexpr const char* kNextDueDelivery =
    "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'";
constexpr const char* kFinishAttempt =
    "UPDATE webhook_deliveries SET attempt = attempt + 1, state = ?2, last_status = ?3, "
    "last_error = ?4, duration_ms = ?5, next_attempt_at = ?6, updated_at = ?7 WHERE id = ?1";
constexpr const char* kAbandonDelivery =
    "UPDATE webhook_deliveries SET state = 'failed', last_error = ?2, next_attempt_at = NULL, "
    "updated_at = ?3 WHERE id = ?1 AND state = 'pending'";
constexpr const char* kResetFailures =
    "UPDATE webhooks SET consecutive_failures = 0, updated_at = ?2 "
    "WHERE id = ?1 AND consecutive_failures <> 0";
constexpr const char* kRemoveUserDeliveries = "DELETE FROM webhook_deliveries WHERE user_id = ?";
constexpr const char* kRemoveUserHooks = "DELETE FROM webhooks WHERE user_id = ?";

Webhook read_hook(const Statement& s) {
  Webhook w;
  w.id = s.int64(0);
  w.user_id = s.text(1);
  w.url = s.text(2);
  w.event_types = s.text(3);
  w.secret = s.text(4);
  w.enabled = s.int64(5) != 0;
  w.disabled_reason = s.opt_text(6);
  w.consecutive_failures = s.int64(7);
  w.created_at = s.int64(8);
  w.updated_at = s.int64(9);
  return w;
}

WebhookDelivery read_delivery(const Statement& s) {
  WebhookDelivery d;
  d.id = s.int64(0);
  d.webhook_id = s.int64(1);
  d.user_id = s.text(2);
  d.event_id = s.text(3);
  d.msg_id = s.text(4);
  d.event_type = s.text(5);
  d.attempt = s.int64(6);
  d.state = parse_delivery_state(s.text(7)).value_or(DeliveryState::failed);
  d.last_status = s.opt_int64(8);
  d.last_error = s.opt_text(9);
  d.duration_ms = s.opt_int64(10);
  d.next_attempt_at = s.opt_int64(11);
  d.created_at = s.int64(12);
  d.updated_at = s.int64(13);
  return d;
}

class SqliteWebhooks final : public WebhookStore {
 public:
  explicit SqliteWebhooks(Handle& db) : db_(db) {}

  std::int64_t insert(const Webhook& w) override {
    db_.prepare(kInsertHook)
        .bind(1, w.user_id)
        .bind(2, w.url)
        .bind(3, w.event_types)
        .bind(4, w.secret)
        .bind(5, std::int64_t(w.enabled ? 1 : 0))
        .bind(6, w.disabled_reason)
        .bind(7, w.consecutive_failures)
        .bind(8, w.created_at)
        .bind(9, w.updated_at)
        .run();
    return db_.last_insert_rowid();
  }

  std::vector<Webhook> list(std::string_view user_id) override {
    auto s = db_.prepare(std::string(kHookColumns) + "WHERE user_id = ? ORDER BY id");
    s.bind(1, user_id);
    std::vector<Webhook> out;
    while (s.step()) out.push_back(read_hook(s));
    return out;
  }

  std::int64_t count(std::string_view user_id) override {
    auto s = db_.prepare(kCountHooks);
    s.bind(1, user_id);
    return s.step() ? s.int64(0) : 0;
  }

  std::optional<Webhook> find(std::string_view user_id, std::int64_t id) override {
    auto s = db_.prepare(std::string(kHookColumns) + "WHERE user_id = ?1 AND id = ?2");
    s.bind(1, user_id).bind(2, id);
    if (!s.step()) return std::nullopt;
    return read_hook(s);
  }

  std::vector<Webhook> enabled_for(std::string_view user_id) override {
    auto s = db_.prepare(std::string(kHookColumns) + "WHERE user_id = ? AND enabled = 1");
    s.bind(1, user_id);
    std::vector<Webhook> out;
    while (s.step()) out.push_back(read_hook(s));
    return out;
  }

  bool update(const Webhook& w) override {
    db_.prepare(kUpdateHook)
        .bind(1, w.user_id)
        .bind(2, w.id)
        .bind(3, w.url)
        .bind(4, w.event_types)
        .bind(5, std::int64_t(w.enabled ? 1 : 0))
        .bind(6, w.disabled_reason)
        .bind(7, w.consecutive_failures)
        .bind(8, w.updated_at)
        .run();
    return db_.changes() > 0;
  }

  bool remove(std::string_view user_id, std::int64_t id) override {
    db_.prepare(kDeleteHookDeliveries).bind(1, user_id).bind(2, id).run();
    db_.prepare(kDeleteHook).bind(1, user_id).bind(2, id).run();
    return db_.changes() > 0;
  }

  std::optional<std::int64_t> add_delivery(const WebhookDelivery& d) override {
    db_.prepare(kAddDelivery)
        .bind(1, d.webhook_id)
        .bind(2, d.user_id)
        .bind(3, d.event_id)
        .bind(4, d.msg_id)
        .bind(5, d.event_type)
        .bind(6, d.payload)
        .bind(7, d.next_attempt_at.value_or(d.created_at))
        .bind(8, d.created_at)
        .run();
    if (db_.changes() == 0) return std::nullopt;
    return db_.last_insert_rowid();
  }

  DeliveryPage deliveries(std::string_view user_id, std::int64_t webhook_id,
                          std::optional<std::int64_t> before_id, int limit) override {
    auto s = db_.prepare(std::string(kDeliveryColumns) + kDeliveryLog);
    s.bind(1, user_id)
        .bind(2, webhook_id)
        .bind(3, before_id.value_or(INT64_MAX))
        .bind(4, std::int64_t(limit) + 1);
    DeliveryPage page;
    while (s.step()) page.items.push_back(read_delivery(s));
    if (int(page.items.size()) > limit) {
      page.items.pop_back();
      page.next_before_id = page.items.back().id;
    }
    return page;
  }

  std::vector<WebhookDelivery> claim_due(Millis now, Millis lease_until, int limit) override {
    std::vector<WebhookDelivery> out;
    {
      auto s = db_.prepare(std::string(kDeliveryColumns) + kDueDeliveries);
      s.bind(1, now).bind(2, std::int64_t(limit));
      while (s.step()) {
        out.push_back(read_delivery(s));
        out.back().payload = s.text(14);
      }
    }
    for (const auto& d : out) db_.prepare(kLeaseDelivery).bind(1, d.id).bind(2, lease_until).run();
    return out;
  }

  std::optional<Millis> next_due() override {
    auto s = db_.prepare(kNextDueDelivery);
    return s.step() ? s.opt_int64(0) : std::nullopt;
  }

  void finish(const AttemptResult& r, Millis now) override {
    db_.prepare(kFinishAttempt)
        .bind(1, r.delivery_id)
        .bind(2, delivery_state_name(r.state))
        .bind(3, r.status)
        .bind(4, r.error)
        .bind(5, r.duration_ms)
        .bind(6, r.next_attempt_at)
        .bind(7, now)
        .run();
  }

  std::optional<Webhook> find_any(std::int64_t id) override {
    auto s = db_.prepare(std::string(kHookColumns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_hook(s);
  }

  void abandon(std::int64_t delivery_id, std::string_view reason, Millis now) override {
    db_.prepare(kAbandonDelivery).bind(1, delivery_id).bind(2, reason).bind(3, now).run();
  }

  void reset_failures(std::int64_t id, Millis now) override {
    db_.prepare(kResetFailures).bind(1, id).bind(2, now).run();
  }

  std::vector<std::string> users_with_endpoints() override {
    auto s = db_.prepare("SELECT DISTINCT user_id FROM webhooks");
    std::vector<std::string> users;
    while (s.step()) users.push_back(s.text(0));
    return users;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserDeliveries).bind(1, user_id).run();
    db_.prepare(kRemoveUserHooks).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<WebhookStore> make_webhook_store(Handle& handle) {
  return std::make_unique<SqliteWebhooks>(handle);
}

}  // namespace todo::storage::sqlite
