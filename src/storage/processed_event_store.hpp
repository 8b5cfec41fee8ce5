#pragma once
// Which events each consumer has handled (table `processed_events (consumer, event_id)`):
// the dedupe half of the consumer contract (bus/consumer.hpp). The row is written in the same
// transaction as the consumer's effect, so an event redelivered after a crash or by the
// broker is recognised and skipped.
// SQL: storage/sqlite/sqlite_processed_events.cpp, storage/postgres/pg_processed_events.cpp.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

class ProcessedEventStore : public Store {
 public:
  static std::unique_ptr<ProcessedEventStore> make(Tx& tx);
  // Records (consumer, id) for each of `event_ids` not recorded yet; returns, per id in
  // order, whether it was new (false: handled before, or repeated earlier in the list).
  virtual std::vector<bool> claim(std::string_view consumer,
                                  const std::vector<std::string>& event_ids, Millis now) = 0;
  // Forgets these ids for `consumer` (an event it will see again: retry later, or given up).
  virtual void release(std::string_view consumer, const std::vector<std::string>& event_ids) = 0;
  // Deletes at most max_rows rows recorded before `older_than`; returns how many.
  virtual int purge(Millis older_than, int max_rows) = 0;
};

namespace sqlite {
std::unique_ptr<ProcessedEventStore> make_processed_event_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<ProcessedEventStore> make_processed_event_store(Handle& handle);
}
inline std::unique_ptr<ProcessedEventStore> ProcessedEventStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_processed_event_store(*tx.sqlite())
                     : postgres::make_processed_event_store(*tx.postgres());
}

inline ProcessedEventStore& processed_events(Tx& tx) {
  return tx.get<ProcessedEventStore>();
}

}  // namespace todo::storage
