#pragma once
// A consumer that exists only in tests (bus/consumer.hpp): its effect is a row per handled
// event in `contract_effects` (no unique constraint: a duplicate effect would show), so the
// tests can count effects; it gives up on events whose task title contains `poison_mark`;
// `fail_next` makes its next handle() write its effects and then throw (a crash between the
// effect and the acknowledgement: the transaction must roll back as a whole).
#include <atomic>
#include <boost/json.hpp>
#include <string>

#include "bus/consumer.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::testing_consumers {

// `seq` numbers the effects in the order they were written (SQLite: the rowid; PostgreSQL: an
// identity), which is how the tests read them back: a heap's physical order (ctid) is not
// that order once a vacuum has freed the space of rolled-back effects, or when two
// connections insert at once into pages of their own.
inline void create_effects_table(storage::Tx& tx) {
  if (tx.sqlite())
    tx.sqlite()->exec(
        "CREATE TABLE IF NOT EXISTS contract_effects (seq INTEGER PRIMARY KEY, consumer TEXT NOT "
        "NULL, event_id TEXT NOT NULL, user_id TEXT NOT NULL)");
  else
    tx.postgres()->exec_script(
        "CREATE TABLE IF NOT EXISTS contract_effects (seq BIGINT GENERATED ALWAYS AS IDENTITY, "
        "consumer TEXT NOT NULL, event_id TEXT NOT NULL, user_id TEXT NOT NULL)");
}

class EffectConsumer : public bus::Consumer {
 public:
  EffectConsumer(std::string name, std::string poison_mark)
      : name_(std::move(name)), poison_mark_(std::move(poison_mark)) {}
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }

  std::vector<Outcome> handle(storage::Tx& tx, std::span<const bus::Event> events) override {
    std::vector<Outcome> out;
    for (const auto& e : events) {
      if (!poison_mark_.empty() && title_of(e).find(poison_mark_) != std::string::npos) {
        out.push_back(Outcome::give_up);  // decided before writing anything for it
        continue;
      }
      if (tx.sqlite())
        tx.sqlite()
            ->prepare("INSERT INTO contract_effects (consumer, event_id, user_id) VALUES (?, ?, ?)")
            .bind(1, name_)
            .bind(2, e.event_id)
            .bind(3, e.user_id)
            .run();
      else
        tx.postgres()->exec(
            "INSERT INTO contract_effects (consumer, event_id, user_id) VALUES ($1, $2, $3)",
            storage::postgres::Params().add(name_).add(e.event_id).add(e.user_id));
      out.push_back(Outcome::done);
    }
    ++calls_;
    if (fail_next.exchange(false))
      throw storage::DbError("test: crash after the effect, before the acknowledgement");
    return out;
  }

  int calls() const { return calls_; }
  std::atomic<bool> fail_next{false};

 private:
  static std::string title_of(const bus::Event& e) {
    boost::system::error_code ec;
    auto v = boost::json::parse(e.payload, ec);
    if (ec || !v.is_object()) return {};
    const auto* data = v.as_object().if_contains("task_data");
    const auto* title =
        data && data->is_object() ? data->as_object().if_contains("title") : nullptr;
    return title && title->is_string() ? std::string(title->as_string()) : std::string();
  }

  std::string name_;
  std::string topic_ = "task-events";
  std::string poison_mark_;
  std::atomic<int> calls_{0};
};

}  // namespace todo::testing_consumers
