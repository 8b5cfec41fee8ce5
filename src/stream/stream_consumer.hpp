#pragma once
// StreamConsumer: the consumer "stream" of task-events (bus/consumer.hpp). Each task event
// is appended to its user's live-update log (`event: task`, data = the event JSON as
// published) in the consumer's transaction, exactly once by the contract's dedupe row.
// After the commit it hands the hub (stream/hub.hpp) what was appended: the rows themselves
// when their seqs were known at once (SQLite: no read back), else a wake-up per user.
//
// Only users who listen get their task events appended (storage/stream_store.hpp listen()):
// over the embedded bus the others' events are not even addressed to it (wants() on SQLite,
// listeners_only() on PostgreSQL: stream/README.md), and handle() asks the log, in its own
// transaction, which of the batch's users listened within the listening window (over Dapr
// every event comes), so a stream opened in any process gets every later event.
//
// Threads: handle() on the driver's database thread; committed() on the driver's thread.
// Over Dapr several batches may be in hand at once, so the rows wait in a map keyed by event
// id (under a mutex) between handle() and committed(); rows of a rolled-back batch are
// dropped when the map grows past a bound (their users' streams read instead).
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bus/consumer.hpp"
#include "storage/stream_store.hpp"
#include "stream/listening_users.hpp"

namespace todo::stream {

class StreamConsumer final : public bus::Consumer {
 public:
  using Offer = std::function<void(const std::string& user_id, std::vector<storage::StreamRow>)>;
  using Wake = std::function<void(const std::string& user_id)>;
  // `window`: how long after its last listen() a user's task events are still appended.
  // `listening` (optional; SQLite only, see stream/listening_users.hpp): wants() asks it.
  StreamConsumer(Offer offer, Wake wake, std::chrono::milliseconds window,
                 const ListeningUsers* listening = nullptr);
  bool wants(const bus::Event& event) const override {
    return !listening_ || listening_->maybe_listening(event.user_id, now_millis());
  }
  // Without the in-memory marks (PostgreSQL: streams may open in any process) the database
  // decides as each event is written (storage::OutboxAddress).
  std::chrono::milliseconds listeners_only() const override {
    return listening_ ? std::chrono::milliseconds(0) : window_;
  }
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override;
  void committed(std::span<const bus::Event> events, std::span<const Outcome> outcomes,
                 Millis now) override;

 private:
  std::string name_ = "stream";
  std::string topic_ = "task-events";
  Offer offer_;
  Wake wake_;
  std::chrono::milliseconds window_;
  const ListeningUsers* listening_;
  std::mutex mutex_;
  std::unordered_map<std::string, storage::StreamRow> appended_;  // event_id -> its row
};

}  // namespace todo::stream
