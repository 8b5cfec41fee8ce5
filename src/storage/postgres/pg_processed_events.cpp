// PostgreSQL: the consumers' dedupe rows (storage/processed_event_store.hpp).
#include <unordered_set>

#include "storage/postgres/pg_handle.hpp"
#include "storage/processed_event_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kClaimEvents =
    "INSERT INTO processed_events (consumer, event_id, processed_at) "
    "SELECT $1, e, $2 FROM unnest($3::text[]) AS e "
    "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id";
constexpr const char* kRelease =
    "DELETE FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::text[])";
constexpr const char* kPurgeEvents =
    "DELETE FROM processed_events WHERE (consumer, event_id) IN (SELECT consumer, event_id "
    "FROM processed_events WHERE processed_at < $1 LIMIT $2)";

class PgProcessedEvents final : public ProcessedEventStore {
 public:
  explicit PgProcessedEvents(Handle& db) : db_(db) {}

  std::vector<bool> claim(std::string_view consumer, const std::vector<std::string>& event_ids,
                          Millis now) override {
    std::vector<bool> fresh(event_ids.size(), false);
    if (event_ids.empty()) return fresh;
    // A repeated id in one list would make the INSERT touch a row twice: send each once.
    std::vector<std::string> unique;
    std::unordered_set<std::string_view> seen;
    for (const auto& id : event_ids)
      if (seen.insert(id).second) unique.push_back(id);
    auto r = db_.exec(kClaimEvents, Params().add(consumer).add(now).add_text_array(unique));
    std::unordered_set<std::string> inserted;
    for (int i = 0; i < r.size(); ++i) inserted.insert(r.text(i, 0));
    for (std::size_t i = 0; i < event_ids.size(); ++i) fresh[i] = inserted.erase(event_ids[i]) == 1;
    return fresh;
  }

  void release(std::string_view consumer, const std::vector<std::string>& event_ids) override {
    if (event_ids.empty()) return;
    db_.exec(kRelease, Params().add(consumer).add_text_array(event_ids));
  }

  int purge(Millis older_than, int max_rows) override {
    return int(
        db_.exec(kPurgeEvents, Params().add(older_than).add(std::int64_t(max_rows))).affected());
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ProcessedEventStore> make_processed_event_store(Handle& handle) {
  return std::make_unique<PgProcessedEvents>(handle);
}

}  // namespace todo::storage::postgres
