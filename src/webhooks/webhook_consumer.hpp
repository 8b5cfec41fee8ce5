#pragma once
// WebhookConsumer: the consumers "webhooks" (topic task-events) and "webhooks-reminders"
// (topic reminders) of bus/consumer.hpp. For each event, every enabled endpoint of the
// event's user that asked for its type gets a pending delivery (webhook_deliveries), written
// in the consumer's transaction: exactly once by the contract's dedupe row, and the
// (webhook_id, event_id) key makes a repeat harmless anyway. While the delivery worker's
// in-memory queue has room, the deliveries are written with the worker's lease and handed to it
// after the commit (DeliveryWorker::hand_over: no claim needed); otherwise they are due now and
// the worker, woken, claims them from the table. An event without a readable type is given up
// (poison).
//
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "bus/consumer.hpp"
#include "webhooks/delivery_worker.hpp"
#include "webhooks/endpoint_users.hpp"

namespace todo::webhooks {

class WebhookConsumer final : public bus::Consumer {
 public:
  // `users` (outlives the consumer) says whose events may matter here (wants()).
  WebhookConsumer(std::string name, std::string topic, DeliveryWorker& worker,
                  const EndpointUsers& users);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  // Only events of users who have an endpoint (endpoint_users.hpp).
  bool wants(const bus::Event& event) const override { return users_.maybe_has(event.user_id); }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_;
  std::string topic_;
  DeliveryWorker& worker_;
  const EndpointUsers& users_;
  std::atomic<long long> added_{0};  // deliveries added by handle(), seen at commit
  // Deliveries written with a lease by handle(), by event id, handed over at commit. Bounded:
  // entries of a transaction that rolled back and is never retried would otherwise stay (a
  // dropped entry is sent once its lease runs out).
  std::mutex staged_mutex_;
  std::map<std::string, std::vector<FreshDelivery>, std::less<>> staged_;
};

}  // namespace todo::webhooks
