// The consumer contract (bus/consumer.hpp) on the embedded bus, on every backend: a consumer
// registered only here gets every event exactly once — across a crash between its effect and
// the acknowledgement (the transaction rolls back as a whole and the batch comes again) and
// a forced duplicate delivery (recognised, the consumer is not called) — and its poison is
// given up, acknowledged and never retried. The Dapr shape of the same contract:
// tests/distributed/consumers.test.mjs.
#include <boost/json.hpp>
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
            "SELECT event_id FROM contract_effects WHERE consumer = ? ORDER BY rowid");
        s.bind(1, consumer_->name());
        while (s.step()) ids.push_back(s.text(0));
      } else {
        auto r = tx.postgres()->exec(
            "SELECT event_id FROM contract_effects WHERE consumer = $1 ORDER BY ctid",
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

INSTANTIATE_TEST_SUITE_P(Sqlite, ConsumerContractTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, ConsumerContractTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
