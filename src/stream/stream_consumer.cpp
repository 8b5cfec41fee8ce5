#include "stream/stream_consumer.hpp"

#include <set>

#include "storage/stream_store.hpp"

namespace todo::stream {

StreamConsumer::StreamConsumer(std::function<void(const std::string&)> appended)
    : appended_(std::move(appended)) {}

std::vector<Outcome> StreamConsumer::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  auto& log = storage::stream(tx);
  Millis now = now_millis();
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  // The payload is the event as published (bus/event.hpp checked it is a JSON object with
  // event_id and user_id): the browser reads task_id, task_version and task_data from it.
  for (const auto& event : events) {
    log.append(event.user_id, "task", event.payload, now);
    outcomes.push_back(Outcome::done);
  }
  return outcomes;
}

void StreamConsumer::committed(std::span<const bus::Event> events,
                               std::span<const Outcome> outcomes, Millis now) {
  (void)now;
  std::set<std::string> users;  // one wake per user per batch
  for (std::size_t i = 0; i < events.size() && i < outcomes.size(); ++i)
    if (outcomes[i] == Outcome::done) users.insert(events[i].user_id);
  for (const auto& user : users) appended_(user);
}

}  // namespace todo::stream
