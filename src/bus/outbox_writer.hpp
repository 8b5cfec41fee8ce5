#pragma once
// OutboxWriter: how a change's transaction addresses its event (the transactional outbox,
// ARCHITECTURE.md §5). Each event is written with the mask of the relay targets that must
// receive it: every publisher (an external bus takes every topic) and every local consumer
// of the event's topic. The relay (bus/outbox_relay.hpp) sets the targets at start(),
// before the server takes requests; afterwards the writer is read-only, so any thread may use
// it without locking.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "storage/outbox_store.hpp"

namespace todo::bus {

class OutboxWriter {
 public:
  // The mask for a new event of `topic`; 0 when no target wants it (then nothing is written).
  std::uint32_t mask_for(std::string_view topic) const {
    auto it = per_topic_.find(topic);
    return all_topics_ | (it == per_topic_.end() ? 0u : it->second);
  }
  // Writes `row` into the outbox inside `tx` with its topic's mask; nothing when the mask is 0.
  void write(storage::Tx& tx, const storage::OutboxRow& row) const {
    if (auto mask = mask_for(row.topic)) storage::outbox(tx).insert(row, mask);
  }
  // Called by the relay at start() only.
  void add_target(std::uint32_t bit, std::string_view topic) {
    if (topic.empty())
      all_topics_ |= bit;
    else
      per_topic_[std::string(topic)] |= bit;
  }

 private:
  std::uint32_t all_topics_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> per_topic_;
};

}  // namespace todo::bus
