// The event pipeline end to end inside one process, on a real SQLite database.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audit/audit_subscriber.hpp"
#include "bus/outbox_relay.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/outbox_store.hpp"
#include "storage/sync.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "tasks/task_service.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// Records what it is handed; fails its first `failures` deliveries.
class RecordingSubscriber : public bus::Subscriber {
 public:
  RecordingSubscriber(std::string name, int failures)
      : name_(std::move(name)), failures_(failures) {}
  const std::string& name() const override { return name_; }
  bus::Delivery deliver(const bus::Batch&) override {
    std::lock_guard lock(mutex_);
    ++attempts_;
    if (failures_ > 0) {
      --failures_;
      return bus::Delivery::retry_later;
    }
    return bus::Delivery::done;
  }
  void record(storage::Tx&, const bus::Batch& batch) override {
    std::lock_guard lock(mutex_);
    for (const auto& row : batch) received_.push_back(row.event_id);
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  std::string name_;
  int failures_;
  int attempts_ = 0;
  std::mutex mutex_;
  std::vector<std::string> received_;
};

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("todo-events-" + std::to_string(::getpid()) + "-" + time_ordered_uuid(now_millis()));
    db_ = storage::open_sqlite({(dir_ / "todo.db").string(), 2});
    ASSERT_TRUE(write([](storage::Tx& tx) {
      storage::users(tx).insert(User{"u_a", "a@example.com", "A", 1}, "hash");
      storage::users(tx).insert(User{"u_b", "b@example.com", "B", 1}, "hash");
    }));
  }
  void TearDown() override {
    db_->stop();
    std::filesystem::remove_all(dir_);
  }
  bool write(storage::Work work) { return storage::write_and_wait(*db_, std::move(work)).ok(); }
  bool read(storage::Work work) { return storage::read_and_wait(*db_, std::move(work)).ok(); }

  Task create(const std::string& user, const std::string& title, std::uint32_t mask = 1) {
    Task task;
    EXPECT_TRUE(write([&](storage::Tx& tx) {
      TaskFields f;
      f.title = title;
      auto outcome = create_task(tx, user, f, std::nullopt, now_millis(), mask);
      ASSERT_TRUE(outcome.ok());
      task = *storage::tasks(tx).find(user, json::parse(outcome->body).at("id").as_int64());
    }));
    return task;
  }
  std::vector<storage::OutboxRow> pending(std::uint32_t bit) {
    std::vector<storage::OutboxRow> rows;
    EXPECT_TRUE(read([&](storage::Tx& tx) { rows = storage::outbox(tx).pending(bit, 10000); }));
    return rows;
  }
  std::vector<storage::AuditRecord> audit(const std::string& user) {
    storage::AuditQuery q;
    q.limit = 200;
    std::vector<storage::AuditRecord> rows;
    EXPECT_TRUE(read([&](storage::Tx& tx) { rows = storage::audit_log(tx).list(user, q).items; }));
    return rows;
  }
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  ops::Metrics metrics_;
};

TEST_F(Pipeline, EachOperationWritesExactlyOneEventOfTheRightType) {
  Task task = create("u_a", "Pay rent");
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    TaskPatch p;
    p.title = "Pay the rent";
    ASSERT_TRUE(patch_task(tx, "u_a", task.id, p, std::nullopt, now_millis(), 1).ok());
    ASSERT_TRUE(
        complete_task(tx, "u_a", task.id, std::nullopt, std::nullopt, now_millis(), 1).ok());
    ASSERT_TRUE(
        complete_task(tx, "u_a", task.id, std::nullopt, std::nullopt, now_millis(), 1).ok());
    ASSERT_TRUE(delete_task(tx, "u_a", task.id, std::nullopt, now_millis(), 1).ok());
  }));
  auto rows = pending(1);
  ASSERT_EQ(rows.size(), 5u);
  std::vector<std::string> types;
  std::vector<std::int64_t> versions;
  for (const auto& row : rows) {
    auto e = json::parse(row.payload).as_object();
    types.emplace_back(e.at("event_type").as_string());
    versions.push_back(e.at("task_version").as_int64());
    EXPECT_EQ(e.at("event_id").as_string(), row.event_id);
    EXPECT_EQ(e.at("user_id").as_string(), "u_a");
    EXPECT_EQ(e.at("task_id").as_int64(), task.id);
    EXPECT_EQ(e.at("schema_version").as_int64(), 1);
    EXPECT_TRUE(parse_rfc3339(e.at("timestamp").as_string()));
    const auto& data = e.at("task_data").as_object();
    EXPECT_TRUE(data.contains("title") && data.contains("description") &&
                data.contains("completed"));
    EXPECT_EQ(row.event_id.size(), 36u);
  }
  EXPECT_EQ(types,
            (std::vector<std::string>{"created", "updated", "completed", "updated", "deleted"}));
  EXPECT_EQ(versions, (std::vector<std::int64_t>{1, 2, 3, 4, 4}));
  auto last = json::parse(rows.back().payload);
  EXPECT_EQ(last.at("task_data").at("title").as_string(), "Pay the rent");
  EXPECT_EQ(json::parse(rows[3].payload).at("task_data").at("completed").as_bool(), false);
}

TEST_F(Pipeline, RejectedOperationsWriteNoEvent) {
  Task task = create("u_a", "Mine");
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    TaskPatch p;
    p.title = "x";
    EXPECT_FALSE(patch_task(tx, "u_a", task.id, p, 99, now_millis(), 1).ok());  // If-Match
    EXPECT_FALSE(
        patch_task(tx, "u_b", task.id, p, std::nullopt, now_millis(), 1).ok());  // not theirs
    EXPECT_FALSE(delete_task(tx, "u_a", task.id + 1000, std::nullopt, now_millis(), 1).ok());
  }));
  EXPECT_EQ(pending(1).size(), 1u);  // only the create
}

TEST_F(Pipeline, ARolledBackChangeLeavesNoEvent) {
  auto status = storage::write_and_wait(*db_, [](storage::Tx& tx) {
    TaskFields f;
    f.title = "doomed";
    ASSERT_TRUE(create_task(tx, "u_a", f, std::nullopt, now_millis(), 1).ok());
    throw storage::DbError("simulated failure after the change");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(pending(1).empty());
}

TEST_F(Pipeline, TheRelayStoresEveryEventInTheAuditExactlyOnce) {
  bus::OutboxRelay relay(*db_, metrics_);
  relay.add(std::make_shared<audit::AuditSubscriber>(metrics_));
  db_->set_commit_listener([&relay] { relay.wake(); });
  relay.start();
  for (int i = 0; i < 50; ++i) create(i % 2 ? "u_a" : "u_b", "task " + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return audit("u_a").size() == 25 && audit("u_b").size() == 25; }));
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(audit("u_a").size(), 25u);
  // Newest first, and in commit order (ids of one user's events ascend with their tasks).
  auto rows = audit("u_a");
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_GT(rows[i - 1].task_id, rows[i].task_id);
  relay.stop();
}

TEST_F(Pipeline, AFailingSubscriberIsRetriedAndGetsEveryEventOnceWithoutBlockingOthers) {
  bus::RelayOptions options;
  options.min_backoff = 20ms;
  options.max_backoff = 80ms;
  options.batch_size = 7;  // several batches
  bus::OutboxRelay relay(*db_, metrics_, options);
  relay.add(std::make_shared<audit::AuditSubscriber>(metrics_));
  auto flaky = std::make_shared<RecordingSubscriber>("flaky", 4);
  relay.add(flaky);
  db_->set_commit_listener([&relay] { relay.wake(); });
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) create("u_a", "t" + std::to_string(i), relay.mask());
  for (const auto& row : pending(2)) ids.push_back(row.event_id);
  ASSERT_EQ(ids.size(), 20u);
  relay.start();
  ASSERT_TRUE(eventually([&] { return flaky->received().size() == 20; }));
  EXPECT_EQ(flaky->received(), ids);  // in order, no duplicates
  EXPECT_GE(flaky->attempts(), 4 + 3);
  EXPECT_EQ(audit("u_a").size(), 20u);
  ASSERT_TRUE(eventually([&] { return pending(1 | 2).empty(); }));
  relay.stop();
}

TEST_F(Pipeline, ADeadSubscriberKeepsItsBacklogWhileOthersGoOn) {
  bus::RelayOptions options;
  options.min_backoff = 20ms;
  options.max_backoff = 40ms;
  bus::OutboxRelay relay(*db_, metrics_, options);
  relay.add(std::make_shared<audit::AuditSubscriber>(metrics_));
  relay.add(std::make_shared<RecordingSubscriber>("dead", 1'000'000));
  db_->set_commit_listener([&relay] { relay.wake(); });
  relay.start();
  for (int i = 0; i < 10; ++i) create("u_b", "t" + std::to_string(i), relay.mask());
  ASSERT_TRUE(eventually([&] { return audit("u_b").size() == 10; }));
  EXPECT_EQ(pending(2).size(), 10u);  // kept, not dropped
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  // ... and /metrics shows it, per subscriber and in all (one query for every gauge)
  std::string text = metrics_.render();
  relay.stop();
  EXPECT_NE(text.find("todo_outbox_backlog{subscriber=\"audit\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("todo_outbox_backlog{subscriber=\"dead\"} 10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ntodo_outbox_pending 10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ntodo_outbox_oldest_age_seconds "), std::string::npos) << text;
  auto count = [&](std::string_view what) {  // one HELP/TYPE per family, however many samples
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("# HELP todo_outbox_backlog "), 1u);
  EXPECT_EQ(count("# TYPE todo_outbox_pending gauge"), 1u);
}

TEST_F(Pipeline, ASubscriberThatIsNotAcceptingIsAskedAgainWithoutReadingTheOutbox) {
  // Stands for the Dapr publisher with its circuit breaker open.
  class Paused : public RecordingSubscriber {
   public:
    Paused() : RecordingSubscriber("paused", 0) {}
    bool accepting() override {
      ++asked;
      return open;
    }
    std::atomic<bool> open{false};
    std::atomic<int> asked{0};
  };
  bus::RelayOptions options;
  options.paused_check = 20ms;
  bus::OutboxRelay relay(*db_, metrics_, options);
  auto paused = std::make_shared<Paused>();
  relay.add(paused);
  db_->set_commit_listener([&relay] { relay.wake(); });
  relay.start();
  for (int i = 0; i < 5; ++i) create("u_a", "t" + std::to_string(i), relay.mask());
  ASSERT_TRUE(eventually([&] { return paused->asked > 5; })) << "asked again and again";
  EXPECT_EQ(paused->attempts(), 0) << "no batch handed over while not accepting";
  EXPECT_EQ(pending(1).size(), 5u);
  paused->open = true;
  ASSERT_TRUE(eventually([&] { return paused->received().size() == 5; }));
  EXPECT_EQ(paused->attempts(), 1) << "the five events in one batch, once";
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  relay.stop();
}

TEST_F(Pipeline, TheSameEventDeliveredTwiceMakesOneAuditRow) {
  create("u_a", "once");
  auto batch = pending(1);
  ASSERT_EQ(batch.size(), 1u);
  audit::AuditSubscriber subscriber(metrics_);
  ASSERT_TRUE(write([&](storage::Tx& tx) { subscriber.record(tx, batch); }));
  ASSERT_TRUE(write([&](storage::Tx& tx) { subscriber.record(tx, batch); }));
  auto rows = audit("u_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_id, batch[0].event_id);
  EXPECT_EQ(rows[0].event_type, "created");
}

TEST_F(Pipeline, EventsCommittedWhileStoppedAreDeliveredAfterTheNextStart) {
  {
    bus::OutboxRelay relay(*db_, metrics_);
    relay.add(std::make_shared<audit::AuditSubscriber>(metrics_));
    relay.start();
    relay.stop();
  }
  for (int i = 0; i < 5; ++i) create("u_a", "later " + std::to_string(i));
  EXPECT_EQ(pending(1).size(), 5u);
  bus::OutboxRelay relay(*db_, metrics_);
  relay.add(std::make_shared<audit::AuditSubscriber>(metrics_));
  relay.start();
  EXPECT_TRUE(eventually([&] { return audit("u_a").size() == 5; }));
  relay.stop();
}

// Two relays sharing one outbox (as two api replicas do), each claiming its batches: every
// event is delivered by exactly one of them, and each user's events in commit order.
TEST_F(Pipeline, TwoClaimingRelaysDeliverEachEventOnceAndInOrder) {
  struct Delivered {
    std::string holder, user_id;
    std::int64_t outbox_id;
  };
  struct Shared {
    std::mutex mutex;
    std::vector<Delivered> log;
  };
  class Recorder : public bus::Subscriber {
   public:
    Recorder(std::string name, Shared& shared) : name_(std::move(name)), shared_(shared) {}
    const std::string& name() const override { return name_; }
    // Runs in the acknowledging transaction; SQLite's one writer commits in this order.
    void record(storage::Tx&, const bus::Batch& batch) override {
      std::lock_guard lock(shared_.mutex);
      for (const auto& row : batch) shared_.log.push_back({name_, row.user_id, row.id});
    }

   private:
    std::string name_;
    Shared& shared_;
  };
  Shared shared;
  std::vector<std::unique_ptr<bus::OutboxRelay>> relays;
  for (const char* holder : {"replica-1", "replica-2"}) {
    bus::RelayOptions options;
    options.claim_holder = holder;
    options.batch_size = 7;  // many small batches, so that the relays take turns
    relays.push_back(std::make_unique<bus::OutboxRelay>(*db_, metrics_, options));
    relays.back()->add(std::make_shared<Recorder>(holder, shared));
  }
  db_->set_commit_listener([&relays] {
    for (auto& r : relays) r->wake();
  });
  for (auto& r : relays) r->start();
  for (int i = 0; i < 200; ++i) create(i % 2 ? "u_a" : "u_b", "task " + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  for (auto& r : relays) r->stop();

  std::map<std::int64_t, int> times;
  std::map<std::string, std::int64_t> last_id;
  std::set<std::string> holders;
  for (const auto& d : shared.log) {
    ++times[d.outbox_id];
    holders.insert(d.holder);
    EXPECT_GT(d.outbox_id, last_id[d.user_id]) << d.user_id << ": delivered out of commit order";
    last_id[d.user_id] = d.outbox_id;
  }
  EXPECT_EQ(times.size(), 200u);
  for (const auto& [id, n] : times)
    EXPECT_EQ(n, 1) << "outbox row " << id << " delivered " << n << " times";
  // Which relay took which batch is up to timing; both usually do (5 runs in 5 here).
  RecordProperty("relays_that_delivered", int(holders.size()));
}

TEST(AuditRecord, RejectsEventsThatBreakTheSchema) {
  EXPECT_FALSE(audit::audit_record_from_event("not json").ok());
  EXPECT_FALSE(audit::audit_record_from_event(R"({"event_id":"e","event_type":"exploded",
    "timestamp":"2026-01-30T10:00:00Z","user_id":"u","task_id":1,"task_data":{}})")
                   .ok());
  EXPECT_FALSE(audit::audit_record_from_event(R"({"event_id":"e","event_type":"created",
    "timestamp":"yesterday","user_id":"u","task_id":1,"task_data":{}})")
                   .ok());
  EXPECT_FALSE(audit::audit_record_from_event(R"({"event_id":"e","event_type":"created",
    "timestamp":"2026-01-30T10:00:00Z","user_id":"u","task_id":-4,"task_data":{}})")
                   .ok());
  auto ok = audit::audit_record_from_event(R"({"event_id":"e1","event_type":"deleted",
    "timestamp":"2026-01-30T10:00:00Z","user_id":"u","task_id":42,"task_data":{"title":"t"}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->task_id, 42);
  EXPECT_EQ(ok->event_type, "deleted");
  EXPECT_EQ(ok->timestamp, *parse_rfc3339("2026-01-30T10:00:00Z"));
}

}  // namespace
}  // namespace todo
