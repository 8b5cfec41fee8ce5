#pragma once
// StreamConsumer: the consumer "stream" of task-events (bus/consumer.hpp). Each task event
// is appended to its user's live-update log (`event: task`, data = the event JSON as
// published) in the consumer's transaction, exactly once by the contract's dedupe row.
// After the commit it tells `appended` (the hub's wake-up) which users got rows.
//
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
#include <functional>
#include <string>

#include "bus/consumer.hpp"

namespace todo::stream {

class StreamConsumer final : public bus::Consumer {
 public:
  explicit StreamConsumer(std::function<void(const std::string& user_id)> appended);
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "stream";
  std::string topic_ = "task-events";
  std::function<void(const std::string&)> appended_;
};

}  // namespace todo::stream
