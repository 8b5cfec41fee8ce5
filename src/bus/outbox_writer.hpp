#pragma once
// OutboxWriter: how a change's transaction addresses its event (the transactional outbox,
// ARCHITECTURE.md §5). Each event is written with the mask of the relay targets that must
// receive it: every publisher (an external bus takes every topic) and every local consumer
// of the event's topic. The relay (bus/outbox_relay.hpp) sets the targets at start(),
// before the server takes requests; afterwards the writer is read-only, so any thread may use
// it without locking.
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
  // The targets of this row: every publisher, and each consumer of its topic that wants it.
  std::uint32_t mask_for(const storage::OutboxRow& row) const {
    std::uint32_t mask = all_topics_;
    std::optional<Event> event;  // built for the first consumer that looks at the payload
    for (const auto& t : targets_) {
      if (t.topic != row.topic) continue;
      if (t.wants && !event)
        event.emplace(Event{row.event_id, row.user_id, row.topic, row.payload, row.created_at});
      if (!t.wants || t.wants(*event)) mask |= t.bit;
    }
    return mask;
  }
  // The mask of a change's event, row by row (tasks/task_service.hpp takes it); `none()` when
  // no target takes `topic` at all.
  storage::EventMask event_mask(std::string_view topic) const {
    if (mask_for(topic) == 0) return storage::EventMask(0u);
    return storage::EventMask([this](const storage::OutboxRow& row) { return mask_for(row); });
  }
  // Writes `row` into the outbox inside `tx` with its mask; nothing when the mask is 0.
  void write(storage::Tx& tx, const storage::OutboxRow& row) const {
    if (auto mask = mask_for(row)) storage::outbox(tx).insert(row, mask);
  }
  // Called by the relay at start() only. `wants` empty: every event of the topic.
  void add_target(std::uint32_t bit, std::string_view topic, Interest wants = {}) {
    if (topic.empty())
      all_topics_ |= bit;
    else
      targets_.push_back({bit, std::string(topic), std::move(wants)});
  }

 private:
  struct Target {
    std::uint32_t bit;
    std::string topic;
    Interest wants;
  };
  std::uint32_t all_topics_ = 0;
  std::vector<Target> targets_;
};

}  // namespace todo::bus
