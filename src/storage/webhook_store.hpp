#pragma once
// Webhook endpoints and their deliveries (tables `webhooks`, `webhook_deliveries`, migration
// 012). Every per-user method filters by user_id; the delivery worker's methods (due, claim,
// finish) work across users. SQL: storage/sqlite/sqlite_webhooks.cpp,
// storage/postgres/pg_webhooks.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct Webhook {
  std::int64_t id = 0;
  std::string user_id;
  std::string url;
  std::string event_types;  // JSON array text, e.g. ["task.created","reminder.fired"]
  std::string secret;       // "whsec_..."; never leaves the server after creation
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  std::int64_t consecutive_failures = 0;
  Millis created_at = 0;
  Millis updated_at = 0;
};

// pending: to send at next_attempt_at; succeeded; failed: refused for good (a 4xx, a redirect,
// an address the SSRF guard refuses, the endpoint disabled); dead: retries exhausted.
enum class DeliveryState { pending, succeeded, failed, dead };
const char* delivery_state_name(DeliveryState state);
std::optional<DeliveryState> parse_delivery_state(std::string_view name);

struct WebhookDelivery {
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::string user_id;
  std::string event_id;
  std::string msg_id;  // the webhook-id header, the same on every attempt
  std::string event_type;
  std::string payload;  // the request body
  std::int64_t attempt = 0;
  DeliveryState state = DeliveryState::pending;
  std::optional<std::int64_t> last_status;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> duration_ms;
  std::optional<Millis> next_attempt_at;
  Millis created_at = 0;
  Millis updated_at = 0;
};

struct DeliveryPage {
  std::vector<WebhookDelivery> items;  // payload left empty
  std::optional<std::int64_t> next_before_id;
};

// The result of one attempt, written by finish().
struct AttemptResult {
  std::int64_t delivery_id = 0;
  DeliveryState state = DeliveryState::pending;
  std::optional<std::int64_t> status;
  std::optional<std::string> error;
  std::int64_t duration_ms = 0;
  std::optional<Millis> next_attempt_at;  // pending only
};

class WebhookStore : public Store {
 public:
  static std::unique_ptr<WebhookStore> make(Tx& tx);

  // Endpoints. insert() returns the new id (w.id ignored); on PostgreSQL it also sends
  // NOTIFY todo_webhooks with the user id (at commit), so that every process's consumer
  // learns the user now has an endpoint (webhooks/endpoint_users.hpp).
  virtual std::int64_t insert(const Webhook& w) = 0;
  // Every user with at least one endpoint, enabled or not.
  virtual std::vector<std::string> users_with_endpoints() = 0;
  virtual std::vector<Webhook> list(std::string_view user_id) = 0;
  virtual std::int64_t count(std::string_view user_id) = 0;
  virtual std::optional<Webhook> find(std::string_view user_id, std::int64_t id) = 0;
  // The enabled endpoints of a user (the consumers' question, once per event).
  virtual std::vector<Webhook> enabled_for(std::string_view user_id) = 0;
  // Writes url, event_types, enabled, disabled_reason, consecutive_failures, updated_at of
  // w (matched by w.user_id and w.id); false when there is no such row.
  virtual bool update(const Webhook& w) = 0;
  // Deletes the endpoint and its deliveries; false when there is no such row.
  virtual bool remove(std::string_view user_id, std::int64_t id) = 0;

  // Deliveries. Inserts a pending delivery unless (webhook_id, event_id) exists; returns its
  // id, or nullopt when it existed.
  virtual std::optional<std::int64_t> add_delivery(const WebhookDelivery& d) = 0;
  // The user's deliveries of one endpoint with id < before_id, newest first.
  virtual DeliveryPage deliveries(std::string_view user_id, std::int64_t webhook_id,
                                  std::optional<std::int64_t> before_id, int limit) = 0;
  // Up to `limit` pending deliveries with next_attempt_at <= now, earliest first, leased:
  // their next_attempt_at becomes lease_until, so no other worker takes them meanwhile (on
  // PostgreSQL the rows are locked while claimed, FOR UPDATE SKIP LOCKED).
  virtual std::vector<WebhookDelivery> claim_due(Millis now, Millis lease_until, int limit) = 0;
  // The earliest next_attempt_at of a pending delivery.
  virtual std::optional<Millis> next_due() = 0;
  // Records an attempt: attempt + 1, the state, status, error, duration, next_attempt_at.
  virtual void finish(const AttemptResult& r, Millis now) = 0;
  // A pending delivery that will not be sent (its endpoint was disabled or deleted): failed,
  // with `reason` as its error; its attempts and last status stay.
  virtual void abandon(std::int64_t delivery_id, std::string_view reason, Millis now) = 0;
  // The endpoint by id alone (the worker), locked on PostgreSQL.
  virtual std::optional<Webhook> find_any(std::int64_t id) = 0;
  // After a successful attempt: the endpoint's run of failures ends (a write only when there
  // was one).
  virtual void reset_failures(std::int64_t id, Millis now) = 0;

  // Account deletion (storage/user_data.hpp).
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<WebhookStore> make_webhook_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<WebhookStore> make_webhook_store(Handle& handle);
}
inline std::unique_ptr<WebhookStore> WebhookStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_webhook_store(*tx.sqlite())
                     : postgres::make_webhook_store(*tx.postgres());
}

inline WebhookStore& webhooks(Tx& tx) {
  return tx.get<WebhookStore>();
}

}  // namespace todo::storage
