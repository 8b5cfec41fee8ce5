#include "stream/stream_consumer.hpp"

#include <algorithm>
#include <map>

namespace todo::stream {
namespace {

// Rows whose batch never reached committed() (rolled back, re-run) are forgotten past this.
constexpr std::size_t kMaxHeld = 10000;

}  // namespace

StreamConsumer::StreamConsumer(Offer offer, Wake wake, std::chrono::milliseconds window,
                               const ListeningUsers* listening)
    : offer_(std::move(offer)), wake_(std::move(wake)), window_(window), listening_(listening) {}

std::vector<Outcome> StreamConsumer::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  auto& log = storage::stream(tx);
  Millis now = now_millis();
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  std::vector<std::pair<std::string, storage::StreamRow>> rows;
  // The payload is the event as published (bus/event.hpp checked it is a JSON object with
  // event_id and user_id): the browser reads task_id, task_version and task_data from it.
  std::vector<std::string> users;
  for (const auto& event : events) users.push_back(event.user_id);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  auto listening = log.listening(users, now - Millis(window_.count()));
  std::sort(listening.begin(), listening.end());
  for (const auto& event : events) {
    outcomes.push_back(Outcome::done);
    if (!std::binary_search(listening.begin(), listening.end(), event.user_id)) continue;
    if (auto seq = log.append(event.user_id, "task", event.payload, now))
      rows.push_back({event.event_id, {*seq, "task", event.payload, now}});
  }
  std::lock_guard lock(mutex_);
  if (appended_.size() > kMaxHeld) appended_.clear();
  for (auto& [id, row] : rows) appended_.insert_or_assign(id, std::move(row));
  return outcomes;
}

void StreamConsumer::committed(std::span<const bus::Event> events,
                               std::span<const Outcome> outcomes, Millis now) {
  (void)now;
  // Per user, in the order appended (= seq order): the rows, or none (read them).
  std::map<std::string, std::vector<storage::StreamRow>> users;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < events.size() && i < outcomes.size(); ++i) {
      if (outcomes[i] != Outcome::done) continue;
      auto& rows = users[events[i].user_id];
      auto node = appended_.extract(events[i].event_id);
      if (!node.empty()) rows.push_back(std::move(node.mapped()));
    }
  }
  for (auto& [user, rows] : users) {
    // Contiguous seqs from one transaction, or a read (PostgreSQL, or a row forgotten).
    bool contiguous = !rows.empty();
    for (std::size_t i = 1; i < rows.size() && contiguous; ++i)
      contiguous = rows[i].seq == rows[i - 1].seq + 1;
    if (contiguous)
      offer_(user, std::move(rows));
    else
      wake_(user);
  }
}

}  // namespace todo::stream
