// The consumer contract (bus/consumer.hpp) on the embedded bus, on every backend: a consumer
// registered only here gets every event exactly once — across a crash between its effect and
// the acknowledgement (the transaction rolls back as a whole and the batch comes again) and
// a forced duplicate delivery (recognised, the consumer is not called) — and its poison is
// given up, acknowledged and never retried. The Dapr shape of the same contract:
// tests/distributed/consumers.test.mjs.
#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bus/consumer_runner.hpp"
#include "bus/outbox_relay.hpp"
#include "storage/outbox_store.hpp"
#include "storage/processed_event_store.hpp"
#include "storage_fixture.hpp"
#include "tasks/task_service.hpp"
#include "test_consumer.hpp"

namespace todo::storage {
namespace {

using namespace fixture;
using testing_consumers::EffectConsumer;

class ConsumerContractTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    ASSERT_TRUE(ok(write([](Tx& tx) { testing_consumers::create_effects_table(tx); })));
    create_user("alice");
    consumer_ = std::make_shared<EffectConsumer>(prefix_ + "contract", "poison");
  }
  void TearDown() override {
    if (db_) {
      // The target's bit goes back to the pool (PostgreSQL's table is shared by every run).
      write([name = consumer_->name()](Tx& tx) {
        if (tx.sqlite())
          tx.sqlite()->prepare("DELETE FROM outbox_consumers WHERE name = ?").bind(1, name).run();
        else
          tx.postgres()->exec("DELETE FROM outbox_consumers WHERE name = $1",
                              postgres::Params().add(name));
      });
    }
    StorageTest::TearDown();
  }

  std::vector<std::string> create_tasks(const std::vector<std::string>& titles,
                                        std::uint32_t mask) {
    std::vector<std::string> event_ids;
    // The ids are read in the writing transaction: a relay already running may deliver and
    // acknowledge the rows as soon as they commit (the coverage run saw it take all five
    // before a separate read).
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      for (const auto& title : titles) {
        TaskFields f;
        f.title = title;
        ASSERT_TRUE(create_task(tx, user_id("alice"), f, std::nullopt, now_millis(), mask).ok());
      }
      for (const auto& row : outbox(tx).pending(mask, 100000))
        if (row.user_id == user_id("alice")) event_ids.push_back(row.event_id);
    })));
    return event_ids;
  }
  std::vector<std::string> effects() {
    std::vector<std::string> ids;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      if (tx.sqlite()) {
        auto s = tx.sqlite()->prepare(
            "SELECT event_id FROM contract_effects WHERE consumer = ? ORDER BY seq");
        s.bind(1, consumer_->name());
        while (s.step()) ids.push_back(s.text(0));
      } else {
        auto r = tx.postgres()->exec(
            "SELECT event_id FROM contract_effects WHERE consumer = $1 ORDER BY seq",
            postgres::Params().add(consumer_->name()));
        for (int i = 0; i < r.size(); ++i) ids.push_back(r.text(i, 0));
      }
    })));
    return ids;
  }
  std::size_t pending_for(std::uint32_t bit) {
    std::size_t n = 0;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      for (const auto& row : outbox(tx).pending(bit, 100000)) n += row.user_id == user_id("alice");
    })));
    return n;
  }
  template <class Pred>
  bool eventually(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  ops::Metrics metrics_;
  std::shared_ptr<EffectConsumer> consumer_;
};

TEST_P(ConsumerContractTest, EveryEventOnceAcrossACrashBeforeTheAckAndAForcedDuplicate) {
  bus::RelayOptions options;
  options.min_backoff = 10ms;
  options.max_backoff = 50ms;
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  relay.add(consumer_);
  relay.start();  // registers the target and its bit; nothing to deliver yet
  std::uint32_t mask = writer.mask_for("task-events");
  ASSERT_NE(mask, 0u);
  relay.stop();

  std::vector<std::string> titles;
  for (int i = 0; i < 30; ++i) titles.push_back("task " + std::to_string(i));
  auto ids = create_tasks(titles, mask);
  ASSERT_EQ(ids.size(), 30u);

  // The first batch writes its effects, then "crashes" before the acknowledgement commits.
  consumer_->fail_next = true;
  bus::OutboxWriter writer2;
  bus::OutboxRelay relay2(*db_, metrics_, writer2, options);
  relay2.add(consumer_);
  relay2.start();
  ASSERT_TRUE(eventually([&] { return pending_for(mask) == 0; }));
  relay2.stop();
  EXPECT_GE(consumer_->calls(), 2) << "the crashed batch came again";
  EXPECT_EQ(effects(), ids) << "each effect once, in commit order, none left from the crash";

  // A forced duplicate delivery of everything: recognised, the consumer is not called.
  std::vector<bus::Event> again;
  for (const auto& id : ids) again.push_back({id, user_id("alice"), "task-events", "{}", 0});
  bus::ConsumerRunner runner(metrics_);
  int calls_before = consumer_->calls();
  bus::Handled handled;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { handled = runner.run(*consumer_, tx, again, now_millis()); })));
  EXPECT_EQ(consumer_->calls(), calls_before);
  EXPECT_EQ(handled.duplicate, std::vector<bool>(30, true));
  EXPECT_EQ(handled.outcomes, std::vector<Outcome>(30, Outcome::done));
  EXPECT_EQ(effects().size(), 30u);
}

TEST_P(ConsumerContractTest, PoisonIsGivenUpAcknowledgedAndItsDedupeRowNotKept) {
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer);
  relay.add(consumer_);
  relay.start();
  std::uint32_t mask = writer.mask_for("task-events");
  auto ids = create_tasks({"fine 1", "poison 1", "fine 2", "poison 2", "fine 3"}, mask);
  ASSERT_EQ(ids.size(), 5u);
  relay.wake();
  ASSERT_TRUE(eventually([&] { return pending_for(mask) == 0; })) << "poison acknowledged too";
  relay.stop();
  EXPECT_EQ(effects(), (std::vector<std::string>{ids[0], ids[2], ids[4]}));
  std::string text = metrics_.render();
  EXPECT_NE(text.find("todo_consumer_events_total{consumer=\"" + consumer_->name() +
                      "\",outcome=\"give_up\"} 2\n"),
            std::string::npos)
      << text;
  // Given up is not "handled": a later redelivery (say, from a dead-letter topic after a fix)
  // reaches the consumer again, while the done ones stay deduplicated.
  std::vector<bool> fresh;
  ASSERT_TRUE(ok(write(
      [&](Tx& tx) { fresh = processed_events(tx).claim(consumer_->name(), ids, now_millis()); })));
  EXPECT_EQ(fresh, (std::vector<bool>{false, true, false, true, false}));
}

// Two replicas of one consumer (two relays in two processes, each with its own instance of the
// same name) on one outbox: they take batches in turns under the target's lock
// (OutboxStore::take; on PostgreSQL a replica that finds the target held counts a busy turn
// and asks again shortly). Every event is handled once, each user's in commit order, and both
// replicas take part. Here: replica 1 holds its first batch open until replica 2 has found the
// target busy (PostgreSQL), and waits after that batch's commit until replica 2 has committed
// one of its own.
TEST_P(ConsumerContractTest, TwoReplicasOfAConsumerTakeTurnsEachEventOnceInOrder) {
  struct Turns {
    std::mutex mutex;
    std::condition_variable changed;
    bool second_committed = false;
  };
  class Replica : public EffectConsumer {
   public:
    Replica(std::string name, Turns& turns, std::function<void()> first_handle, bool first)
        : EffectConsumer(std::move(name), ""),
          turns_(turns),
          first_handle_(std::move(first_handle)),
          first_(first) {}
    std::vector<Outcome> handle(Tx& tx, std::span<const bus::Event> events) override {
      if (first_ && std::exchange(hold_handle_, false)) first_handle_();
      return EffectConsumer::handle(tx, events);
    }
    void committed(std::span<const bus::Event>, std::span<const Outcome>, Millis) override {
      std::unique_lock lock(turns_.mutex);
      if (!first_) {
        turns_.second_committed = true;
        turns_.changed.notify_all();
      } else if (std::exchange(hold_commit_, false)) {
        EXPECT_TRUE(turns_.changed.wait_for(lock, 30s, [&] { return turns_.second_committed; }))
            << "replica 2 never committed a batch while replica 1 waited";
      }
    }

   private:
    Turns& turns_;
    std::function<void()> first_handle_;
    bool first_;
    bool hold_handle_ = true, hold_commit_ = true;
  };

  const std::string name = consumer_->name();
  for (const char* u : {"bob", "carol", "dave"}) create_user(u);
  // The target's bit, registered by a relay of this name (with metrics of its own: a relay's
  // gauges are read through it, and this one is gone before metrics_ is read below).
  std::uint32_t mask = 0;
  {
    ops::Metrics registering;
    bus::OutboxWriter writer;
    bus::OutboxRelay relay(*db_, registering, writer);
    relay.add(consumer_);
    relay.start();
    mask = writer.mask_for("task-events");
    relay.stop();
  }
  ASSERT_NE(mask, 0u);
  // 4 users x 40 events, interleaved, in one commit each.
  const std::vector<std::string> names{"alice", "bob", "carol", "dave"};
  std::map<std::string, std::vector<std::string>> committed_order;  // user -> event ids
  for (int i = 0; i < 160; ++i) {
    const std::string user = user_id(names[std::size_t(i % 4)]);
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      TaskFields f;
      f.title = "task " + std::to_string(i);
      ASSERT_TRUE(create_task(tx, user, f, std::nullopt, now_millis(), mask).ok());
    })));
  }
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    for (const auto& row : outbox(tx).pending(mask, 100000))
      if (row.user_id.starts_with(prefix_)) committed_order[row.user_id].push_back(row.event_id);
  })));
  ASSERT_EQ(committed_order.size(), 4u);

  // Each replica is a process of its own: on PostgreSQL its own connections (on SQLite one
  // process owns the file, so both share it).
  std::unique_ptr<Database> second_db = is_postgres() ? open() : nullptr;
  Database& db2 = second_db ? *second_db : *db_;
  auto busy_turns = [&] {
    const std::string text = metrics_.render();
    const std::string key = "todo_events_busy_turns_total{subscriber=\"" + name + "\"} ";
    auto at = text.find(key);
    return at == std::string::npos ? 0L : std::stol(text.substr(at + key.size()));
  };
  Turns turns;
  bus::RelayOptions one, two;
  one.claim_holder = "replica-1";
  two.claim_holder = "replica-2";
  one.batch_size = two.batch_size = 7;  // many small batches, so that the replicas take turns
  std::promise<void> first_taken;
  auto replica1 = std::make_shared<Replica>(
      name, turns,
      [&] {
        first_taken.set_value();
        // Holding the target (PostgreSQL): replica 2 must find it busy, not wait on it or take
        // the same rows.
        if (is_postgres()) EXPECT_TRUE(eventually([&] { return busy_turns() > 0; }));
      },
      true);
  auto replica2 = std::make_shared<Replica>(
      name, turns, [] {}, false);
  bus::OutboxWriter writer1, writer2;
  bus::OutboxRelay relay1(*db_, metrics_, writer1, one);
  bus::OutboxRelay relay2(db2, metrics_, writer2, two);
  relay1.add(std::static_pointer_cast<bus::Consumer>(replica1));
  relay2.add(std::static_pointer_cast<bus::Consumer>(replica2));
  relay1.start();
  ASSERT_EQ(first_taken.get_future().wait_for(30s), std::future_status::ready);
  relay2.start();
  ASSERT_TRUE(eventually([&] {
    std::size_t n = 0;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      for (const auto& row : outbox(tx).pending(mask, 100000))
        n += row.user_id.starts_with(prefix_);
    })));
    return n == 0;
  }));
  relay1.stop();
  relay2.stop();
  if (second_db) second_db->stop();

  // Once each (the effects table has no unique constraint), each user's in commit order.
  std::map<std::string, std::vector<std::string>> handled;
  std::map<std::string, int> times;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    std::vector<std::pair<std::string, std::string>> r;  // (user_id, event_id) as handled
    if (tx.sqlite()) {
      auto st = tx.sqlite()->prepare(
          "SELECT user_id, event_id FROM contract_effects WHERE consumer = ? ORDER BY seq");
      st.bind(1, name);
      while (st.step()) r.emplace_back(st.text(0), st.text(1));
    } else {
      auto rows = tx.postgres()->exec(
          "SELECT user_id, event_id FROM contract_effects WHERE consumer = $1 ORDER BY seq",
          postgres::Params().add(name));
      for (int i = 0; i < rows.size(); ++i) r.emplace_back(rows.text(i, 0), rows.text(i, 1));
    }
    for (const auto& [user, id] : r) {
      handled[user].push_back(id);
      ++times[id];
    }
  })));
  EXPECT_EQ(times.size(), 160u);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " handled " << n << " times";
  EXPECT_EQ(handled, committed_order);
  EXPECT_GT(replica1->calls(), 0);
  EXPECT_GT(replica2->calls(), 0) << "replica 2 never took a batch";
  if (is_postgres()) EXPECT_GT(busy_turns(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ConsumerContractTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, ConsumerContractTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
