#include "webhooks/webhook_consumer.hpp"

#include <map>

#include "core/log.hpp"
#include "core/random.hpp"
#include "storage/webhook_store.hpp"
#include "webhooks/event_types.hpp"

namespace todo::webhooks {

namespace {
// Events whose deliveries wait for their commit to be handed over (see staged_).
constexpr std::size_t kMaxStagedEvents = 4096;
}  // namespace

WebhookConsumer::WebhookConsumer(std::string name, std::string topic, DeliveryWorker& worker,
                                 const EndpointUsers& users)
    : name_(std::move(name)), topic_(std::move(topic)), worker_(worker), users_(users) {}

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
    std::vector<FreshDelivery> fresh;
    const bool hand_over = worker_.accepting();
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
      d.next_attempt_at = hand_over ? now + worker_.lease_ms() : now;
      d.created_at = now;
      auto id = store.add_delivery(d);
      if (!id) continue;
      ++added_;
      if (!hand_over) continue;
      d.id = *id;
      d.attempt = 0;
      d.updated_at = now;
      fresh.push_back({std::move(d), hook.url, hook.secret});
    }
    if (!fresh.empty()) {
      std::lock_guard lock(staged_mutex_);
      if (staged_.size() < kMaxStagedEvents) staged_[event.event_id] = std::move(fresh);
    }
    outcomes.push_back(Outcome::done);
  }
  return outcomes;
}

void WebhookConsumer::committed(std::span<const bus::Event> events,
                                std::span<const Outcome> outcomes, Millis now) {
  (void)outcomes, (void)now;
  std::vector<FreshDelivery> fresh;
  {
    std::lock_guard lock(staged_mutex_);
    for (const auto& event : events) {
      auto it = staged_.find(event.event_id);
      if (it == staged_.end()) continue;
      for (auto& f : it->second) fresh.push_back(std::move(f));
      staged_.erase(it);
    }
  }
  worker_.hand_over(std::move(fresh));
  if (added_.exchange(0) > 0) worker_.wake();  // those written without a lease are due now
}

}  // namespace todo::webhooks
