// PostgreSQL: webhook endpoints and deliveries (storage/webhook_store.hpp). Several delivery
// workers may share the table: claim_due() locks the rows it leases and skips those another
// transaction holds (FOR UPDATE SKIP LOCKED), and the lease keeps them once it committed.
#include "storage/postgres/pg_handle.hpp"
#include "storage/webhook_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kHookColumns =
    "SELECT id, user_id, url, event_types, secret, enabled, disabled_reason, "
    "consecutive_failures, created_at, updated_at FROM webhooks ";
constexpr const char* kInsertHook =
    "INSERT INTO webhooks (user_id, url, event_types, secret, enabled, disabled_reason, "
    "consecutive_failures, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "RETURNING id";
constexpr const char* kUpdateHook =
    "UPDATE webhooks SET url = $3, event_types = $4, enabled = $5, disabled_reason = $6, "
    "consecutive_failures = $7, updated_at = $8 WHERE user_id = $1 AND id = $2";
constexpr const char* kCountHooks = "SELECT COUNT(*) FROM webhooks WHERE user_id = $1";
constexpr const char* kDeleteHook = "DELETE FROM webhooks WHERE user_id = $1 AND id = $2";
constexpr const char* kAddDelivery =
    "INSERT INTO webhook_deliveries (webhook_id, user_id, event_id, msg_id, event_type, payload, "
    "attempt, state, next_attempt_at, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, 0, 'pending', $7, $8, $8) "
    "ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id";
constexpr const char* kDeliveryColumns =
    "SELECT id, webhook_id, user_id, event_id, msg_id, event_type, attempt, state, last_status, "
    "last_error, duration_ms, next_attempt_at, created_at, updated_at";
constexpr const char* kDeliveryLog =
    " FROM webhook_deliveries WHERE user_id = $1 AND webhook_id = $2 AND id < $3 "
    "ORDER BY id DESC LIMIT $4";
// One statement: lock the due rows (skipping those another worker holds), lease them, and
// return them.
constexpr const char* kClaimDueDeliveries =
    "UPDATE webhook_deliveries d SET next_attempt_at = $2 FROM ("
    "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 "
    "ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id "
    "RETURNING d.id, d.webhook_id, d.user_id, d.event_id, d.msg_id, d.event_type, d.attempt, "
    "d.state, d.last_status, d.last_error, d.duration_ms, d.next_attempt_at, d.created_at, "
    "d.updated_at, d.payload";
constexpr const char* kNextDueDelivery =
    "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'";
constexpr const char* kFinishAttempt =
    "UPDATE webhook_deliveries SET attempt = attempt + 1, state = $2, last_status = $3, "
    "last_error = $4, duration_ms = $5, next_attempt_at = $6, updated_at = $7 WHERE id = $1";
constexpr const char* kAbandonDelivery =
    "UPDATE webhook_deliveries SET state = 'failed', last_error = $2, next_attempt_at = NULL, "
    "updated_at = $3 WHERE id = $1 AND state = 'pending'";
constexpr const char* kResetFailures =
    "UPDATE webhooks SET consecutive_failures = 0, updated_at = $2 "
    "WHERE id = $1 AND consecutive_failures <> 0";
constexpr const char* kRemoveUserDeliveries = "DELETE FROM webhook_deliveries WHERE user_id = $1";
constexpr const char* kRemoveUserHooks = "DELETE FROM webhooks WHERE user_id = $1";

Webhook read_hook(const Rows& r, int i) {
  Webhook w;
  w.id = r.int64(i, 0);
  w.user_id = r.text(i, 1);
  w.url = r.text(i, 2);
  w.event_types = r.text(i, 3);
  w.secret = r.text(i, 4);
  w.enabled = r.boolean(i, 5);
  w.disabled_reason = r.opt_text(i, 6);
  w.consecutive_failures = r.int64(i, 7);
  w.created_at = r.int64(i, 8);
  w.updated_at = r.int64(i, 9);
  return w;
}

WebhookDelivery read_delivery(const Rows& r, int i) {
  WebhookDelivery d;
  d.id = r.int64(i, 0);
  d.webhook_id = r.int64(i, 1);
  d.user_id = r.text(i, 2);
  d.event_id = r.text(i, 3);
  d.msg_id = r.text(i, 4);
  d.event_type = r.text(i, 5);
  d.attempt = r.int64(i, 6);
  d.state = parse_delivery_state(r.view(i, 7)).value_or(DeliveryState::failed);
  d.last_status = r.opt_int64(i, 8);
  d.last_error = r.opt_text(i, 9);
  d.duration_ms = r.opt_int64(i, 10);
  d.next_attempt_at = r.opt_int64(i, 11);
  d.created_at = r.int64(i, 12);
  d.updated_at = r.int64(i, 13);
  return d;
}

std::vector<Webhook> read_hooks(const Rows& r) {
  std::vector<Webhook> out;
  out.reserve(std::size_t(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(read_hook(r, i));
  return out;
}

class PgWebhooks final : public WebhookStore {
 public:
  explicit PgWebhooks(Handle& db) : db_(db) {}

  std::int64_t insert(const Webhook& w) override {
    auto r = db_.exec(kInsertHook, Params()
                                       .add(w.user_id)
                                       .add(w.url)
                                       .add(w.event_types)
                                       .add(w.secret)
                                       .add_bool(w.enabled)
                                       .add(w.disabled_reason)
                                       .add(w.consecutive_failures)
                                       .add(w.created_at)
                                       .add(w.updated_at));
    db_.exec("SELECT pg_notify('todo_webhooks', $1)", Params().add(w.user_id));
    return r.int64(0, 0);
  }

  std::vector<Webhook> list(std::string_view user_id) override {
    return read_hooks(db_.exec(std::string(kHookColumns) + "WHERE user_id = $1 ORDER BY id",
                               Params().add(user_id)));
  }

  std::int64_t count(std::string_view user_id) override {
    auto r = db_.exec(kCountHooks, Params().add(user_id));
    return r.empty() ? 0 : r.int64(0, 0);
  }

  std::optional<Webhook> find(std::string_view user_id, std::int64_t id) override {
    auto r = db_.exec(std::string(kHookColumns) + "WHERE user_id = $1 AND id = $2",
                      Params().add(user_id).add(id));
    if (r.empty()) return std::nullopt;
    return read_hook(r, 0);
  }

  std::vector<Webhook> enabled_for(std::string_view user_id) override {
    return read_hooks(db_.exec(std::string(kHookColumns) + "WHERE user_id = $1 AND enabled",
                               Params().add(user_id)));
  }

  bool update(const Webhook& w) override {
    auto r = db_.exec(kUpdateHook, Params()
                                       .add(w.user_id)
                                       .add(w.id)
                                       .add(w.url)
                                       .add(w.event_types)
                                       .add_bool(w.enabled)
                                       .add(w.disabled_reason)
                                       .add(w.consecutive_failures)
                                       .add(w.updated_at));
    return r.affected() > 0;
  }

  bool remove(std::string_view user_id, std::int64_t id) override {
    // The deliveries go with it (ON DELETE CASCADE).
    return db_.exec(kDeleteHook, Params().add(user_id).add(id)).affected() > 0;
  }

  std::optional<std::int64_t> add_delivery(const WebhookDelivery& d) override {
    auto r = db_.exec(kAddDelivery, Params()
                                        .add(d.webhook_id)
                                        .add(d.user_id)
                                        .add(d.event_id)
                                        .add(d.msg_id)
                                        .add(d.event_type)
                                        .add(d.payload)
                                        .add(d.next_attempt_at.value_or(d.created_at))
                                        .add(d.created_at));
    if (r.empty()) return std::nullopt;
    return r.int64(0, 0);
  }

  DeliveryPage deliveries(std::string_view user_id, std::int64_t webhook_id,
                          std::optional<std::int64_t> before_id, int limit) override {
    auto r = db_.exec(std::string(kDeliveryColumns) + kDeliveryLog,
                      Params()
                          .add(user_id)
                          .add(webhook_id)
                          .add(before_id.value_or(INT64_MAX))
                          .add(std::int64_t(limit) + 1));
    DeliveryPage page;
    for (int i = 0; i < r.size(); ++i) page.items.push_back(read_delivery(r, i));
    if (int(page.items.size()) > limit) {
      page.items.pop_back();
      page.next_before_id = page.items.back().id;
    }
    return page;
  }

  std::vector<WebhookDelivery> claim_due(Millis now, Millis lease_until, int limit) override {
    auto r =
        db_.exec(kClaimDueDeliveries, Params().add(now).add(lease_until).add(std::int64_t(limit)));
    std::vector<WebhookDelivery> out;
    out.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) {
      out.push_back(read_delivery(r, i));
      out.back().payload = r.text(i, 14);
    }
    return out;
  }

  std::optional<Millis> next_due() override {
    auto r = db_.exec(kNextDueDelivery, Params());
    return r.empty() ? std::nullopt : r.opt_int64(0, 0);
  }

  void finish(const AttemptResult& a, Millis now) override {
    db_.exec(kFinishAttempt, Params()
                                 .add(a.delivery_id)
                                 .add(delivery_state_name(a.state))
                                 .add(a.status)
                                 .add(a.error)
                                 .add(a.duration_ms)
                                 .add(a.next_attempt_at)
                                 .add(now));
  }

  std::optional<Webhook> find_any(std::int64_t id) override {
    auto r = db_.exec(std::string(kHookColumns) + "WHERE id = $1 FOR UPDATE", Params().add(id));
    if (r.empty()) return std::nullopt;
    return read_hook(r, 0);
  }

  void abandon(std::int64_t delivery_id, std::string_view reason, Millis now) override {
    db_.exec(kAbandonDelivery, Params().add(delivery_id).add(reason).add(now));
  }

  void reset_failures(std::int64_t id, Millis now) override {
    db_.exec(kResetFailures, Params().add(id).add(now));
  }

  std::vector<std::string> users_with_endpoints() override {
    auto r = db_.exec("SELECT DISTINCT user_id FROM webhooks", Params());
    std::vector<std::string> users;
    users.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) users.push_back(r.text(i, 0));
    return users;
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUserDeliveries, Params().add(user_id));
    db_.exec(kRemoveUserHooks, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<WebhookStore> make_webhook_store(Handle& handle) {
  return std::make_unique<PgWebhooks>(handle);
}

}  // namespace todo::storage::postgres
