#include "bus/consumer_runner.hpp"

#include <stdexcept>
#include <string>

#include "storage/processed_event_store.hpp"

namespace todo::bus {
namespace {

std::string labels(const Consumer& consumer, std::string_view outcome) {
  return "consumer=\"" + consumer.name() + "\",outcome=\"" + std::string(outcome) + "\"";
}

}  // namespace

ConsumerRunner::ConsumerRunner(ops::Metrics& metrics) : metrics_(metrics) {
  metrics_.describe("todo_consumer_events_total", "counter",
                    "Events each consumer received, by outcome (done, duplicate: handled "
                    "before and skipped, retry_later, give_up).");
  metrics_.describe("todo_consumer_lag_seconds", "histogram",
                    "Commit of an event to the commit of its consumer's effect.");
}

void ConsumerRunner::describe(const Consumer& consumer) {
  for (const char* o : {"done", "duplicate", "retry_later", "give_up"})
    metrics_.add("todo_consumer_events_total", labels(consumer, o), 0);
}

Handled ConsumerRunner::run(Consumer& consumer, storage::Tx& tx, std::span<const Event> events,
                            Millis now) const {
  Handled handled;
  handled.outcomes.assign(events.size(), Outcome::done);
  if (events.empty()) return handled;
  // Events the consumer does not want are done at once: no dedupe row, no handle().
  std::vector<std::size_t> wanted;
  std::vector<std::string> ids;
  wanted.reserve(events.size());
  ids.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    if (consumer.wants(events[i])) {
      wanted.push_back(i);
      ids.push_back(events[i].event_id);
    }
  handled.duplicate.assign(events.size(), false);
  if (wanted.empty()) return handled;
  auto& dedupe = storage::processed_events(tx);
  std::vector<bool> fresh = dedupe.claim(consumer.name(), ids, now);

  std::vector<Event> todo;
  std::vector<std::size_t> where;  // index in `events` of each event handed over
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    const std::size_t i = wanted[k];
    if (!fresh[k]) {
      handled.duplicate[i] = true;
      continue;
    }
    todo.push_back(events[i]);
    where.push_back(i);
  }
  if (todo.empty()) return handled;
  std::vector<Outcome> outcomes = consumer.handle(tx, todo);
  if (outcomes.size() != todo.size())
    throw std::logic_error("consumer " + consumer.name() + " returned " +
                           std::to_string(outcomes.size()) + " outcomes for " +
                           std::to_string(todo.size()) + " events");
  std::vector<std::string> unfinished;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    handled.outcomes[where[k]] = outcomes[k];
    if (outcomes[k] != Outcome::done) unfinished.push_back(todo[k].event_id);
  }
  dedupe.release(consumer.name(), unfinished);
  return handled;
}

void ConsumerRunner::record(Consumer& consumer, std::span<const Event> events,
                            const Handled& handled, Millis now) const {
  // The consumer hears of the events it handled in this transaction (not the duplicates).
  std::vector<Event> fresh;
  std::vector<Outcome> outcomes;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (handled.duplicate.empty() || !handled.duplicate[i]) {
      fresh.push_back(events[i]);
      outcomes.push_back(handled.outcomes[i]);
    }
  if (!fresh.empty()) consumer.committed(fresh, outcomes, now);
  std::size_t counts[4] = {0, 0, 0, 0};  // done, duplicate, retry_later, give_up
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!handled.duplicate.empty() && handled.duplicate[i]) {
      ++counts[1];
      continue;
    }
    switch (handled.outcomes[i]) {
      case Outcome::done:
        ++counts[0];
        metrics_.observe("todo_consumer_lag_seconds", "consumer=\"" + consumer.name() + "\"",
                         std::max<double>(0, double(now - events[i].created_at) / 1000.0));
        break;
      case Outcome::retry_later:
        ++counts[2];
        break;
      case Outcome::give_up:
        ++counts[3];
        break;
    }
  }
  const char* names[4] = {"done", "duplicate", "retry_later", "give_up"};
  for (int k = 0; k < 4; ++k)
    if (counts[k])
      metrics_.add("todo_consumer_events_total", labels(consumer, names[k]), counts[k]);
}

}  // namespace todo::bus
