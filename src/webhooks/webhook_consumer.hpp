#pragma once
// WebhookConsumer: the consumers "webhooks" (topic task-events) and "webhooks-reminders"
// (topic reminders) of bus/consumer.hpp. For each event, every enabled endpoint of the
// event's user that asked for its type gets a pending delivery (webhook_deliveries), written
// in the consumer's transaction: exactly once by the contract's dedupe row, and the
// (webhook_id, event_id) key makes a repeat harmless anyway. After the commit it wakes the
// delivery worker. An event without a readable type is given up (poison).
//
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
#include <atomic>
#include <functional>
#include <string>

#include "bus/consumer.hpp"

namespace todo::webhooks {

class WebhookConsumer final : public bus::Consumer {
 public:
  WebhookConsumer(std::string name, std::string topic, std::function<void()> queued);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_;
  std::string topic_;
  std::function<void()> queued_;
  std::atomic<long long> added_{0};  // deliveries added by handle(), seen at commit
};

}  // namespace todo::webhooks
