// SQLite: the consumers' dedupe rows (storage/processed_event_store.hpp).
#include <unordered_set>

#include "storage/processed_event_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

// "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join syntax.
constexpr const char* kClaimEvents =
    "INSERT INTO processed_events (consumer, event_id, processed_at) "
    "SELECT ?1, value, ?2 FROM json_each(?3) WHERE true "
    "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id";
constexpr const char* kRelease =
    "DELETE FROM processed_events WHERE consumer = ? AND event_id IN "
    "(SELECT value FROM json_each(?))";
constexpr const char* kPurgeEvents =
    "DELETE FROM processed_events WHERE (consumer, event_id) IN (SELECT consumer, event_id "
    "FROM processed_events WHERE processed_at < ? LIMIT ?)";

class SqliteProcessedEvents final : public ProcessedEventStore {
 public:
  explicit SqliteProcessedEvents(Handle& db) : db_(db) {}

  std::vector<bool> claim(std::string_view consumer, const std::vector<std::string>& event_ids,
                          Millis now) override {
    std::vector<bool> fresh(event_ids.size(), false);
    if (event_ids.empty()) return fresh;
    auto s = db_.prepare(kClaimEvents);
    s.bind(1, consumer).bind(2, now).bind(3, json_array(event_ids));
    std::unordered_set<std::string> inserted;
    while (s.step()) inserted.insert(s.text(0));
    // A repeated id is new only at its first position.
    for (std::size_t i = 0; i < event_ids.size(); ++i) fresh[i] = inserted.erase(event_ids[i]) == 1;
    return fresh;
  }

  void release(std::string_view consumer, const std::vector<std::string>& event_ids) override {
    if (event_ids.empty()) return;
    db_.prepare(kRelease).bind(1, consumer).bind(2, json_array(event_ids)).run();
  }

  int purge(Millis older_than, int max_rows) override {
    db_.prepare(kPurgeEvents).bind(1, older_than).bind(2, std::int64_t(max_rows)).run();
    return db_.changes();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ProcessedEventStore> make_processed_event_store(Handle& handle) {
  return std::make_unique<SqliteProcessedEvents>(handle);
}

}  // namespace todo::storage::sqlite
