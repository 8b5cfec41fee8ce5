#pragma once
// OutboxWriter: how a change's transaction addresses its event (the transactional outbox,
// ARCHITECTURE.md §5). Each event is written with the mask of the relay targets that must
// receive it: every publisher (an external bus takes every topic) and every local consumer
// of the event's topic. The relay (bus/outbox_relay.hpp) sets the targets at start(),
// before the server takes requests; afterwards the writer is read-only, so any thread may use
// it without locking.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/event.hpp"
#include "storage/outbox_store.hpp"

namespace todo::bus {

class OutboxWriter {
 public:
  // Whether a local consumer wants an event (Consumer::wants): rows it does not want do not
  // carry its bit, so it never claims, handles or acknowledges them.
  // Called with the row as an Event, one Event per row for every consumer (so its payload is
  // parsed once, Event::json).
  using Interest = std::function<bool(const Event& event)>;

  // The targets of a new event of `topic`, whatever it holds; 0 when none.
  std::uint32_t mask_for(std::string_view topic) const {
    std::uint32_t mask = all_topics_;
    for (const auto& t : targets_)
      if (t.topic == topic) mask |= t.bit;
    return mask;
  }
  // The targets of this row: every publisher, and each consumer of its topic that wants it
  // (one that wants only listeners' events: if the row's user listens, decided as the row is
  // written, storage::OutboxAddress).
  storage::OutboxAddress address_for(const storage::OutboxRow& row) const {
    storage::OutboxAddress address(all_topics_);
    std::optional<Event> event;  // built for the first consumer that looks at the payload
    for (const auto& t : targets_) {
      if (t.topic != row.topic) continue;
      if (t.wants && !event)
        event.emplace(Event{
            row.event_id, row.user_id, row.topic, row.payload, row.created_at, {}, row.facts});
      if (t.wants && !t.wants(*event)) continue;
      if (t.listeners_only.count() > 0) {
        address.if_listening |= t.bit;
        address.listened_since =
            std::max(address.listened_since, row.created_at - Millis(t.listeners_only.count()));
      } else {
        address.bits |= t.bit;
      }
    }
    return address;
  }
  // The mask of a change's event, row by row (tasks/task_service.hpp takes it); `none()` when
  // no target takes `topic` at all.
  storage::EventMask event_mask(std::string_view topic) const {
    if (mask_for(topic) == 0) return storage::EventMask(0u);
    return storage::EventMask([this](const storage::OutboxRow& row) { return address_for(row); });
  }
  // Writes `row` into the outbox inside `tx` with its address; nothing when it has no target.
  void write(storage::Tx& tx, const storage::OutboxRow& row) const {
    storage::outbox(tx).insert(row, address_for(row));
  }
  // Called by the relay at start() only. `wants` empty: every event of the topic.
  // `listeners_only` (Consumer::listeners_only): 0, or the listening window.
  void add_target(std::uint32_t bit, std::string_view topic, Interest wants = {},
                  std::chrono::milliseconds listeners_only = std::chrono::milliseconds(0)) {
    if (topic.empty())
      all_topics_ |= bit;
    else
      targets_.push_back({bit, std::string(topic), std::move(wants), listeners_only});
  }

 private:
  struct Target {
    std::uint32_t bit;
    std::string topic;
    Interest wants;
    std::chrono::milliseconds listeners_only;
  };
  std::uint32_t all_topics_ = 0;
  std::vector<Target> targets_;
};

}  // namespace todo::bus
