#include "webhooks/webhook_consumer.hpp"

#include <map>

#include "core/log.hpp"
#include "core/random.hpp"
#include "storage/webhook_store.hpp"
#include "webhooks/event_types.hpp"

namespace todo::webhooks {

WebhookConsumer::WebhookConsumer(std::string name, std::string topic, std::function<void()> queued)
    : name_(std::move(name)), topic_(std::move(topic)), queued_(std::move(queued)) {}

std::vector<Outcome> WebhookConsumer::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  const Millis now = now_millis();
  auto& store = storage::webhooks(tx);
  // A batch often holds several events of one user: ask for their endpoints once.
  std::map<std::string, std::vector<storage::Webhook>, std::less<>> endpoints;
  for (const auto& event : events) {
    auto type = webhook_event_type(event);
    if (!type) {
      log::error("webhooks: event {} given up: no webhook event type", event.event_id);
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    auto it = endpoints.find(event.user_id);
    if (it == endpoints.end())
      it = endpoints.emplace(event.user_id, store.enabled_for(event.user_id)).first;
    std::string body;
    for (const auto& hook : it->second) {
      if (!wants_type(hook.event_types, *type)) continue;
      if (body.empty()) body = webhook_body(*type, event.payload);
      storage::WebhookDelivery d;
      d.webhook_id = hook.id;
      d.user_id = event.user_id;
      d.event_id = event.event_id;
      d.msg_id = "msg_" + time_ordered_uuid(now);
      d.event_type = *type;
      d.payload = body;
      d.next_attempt_at = now;
      d.created_at = now;
      if (store.add_delivery(d)) ++added_;
    }
    outcomes.push_back(Outcome::done);
  }
  return outcomes;
}

void WebhookConsumer::committed(std::span<const bus::Event> events,
                                std::span<const Outcome> outcomes, Millis now) {
  (void)events, (void)outcomes, (void)now;
  if (added_.exchange(0) > 0 && queued_) queued_();
}

}  // namespace todo::webhooks
