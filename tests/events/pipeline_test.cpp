// The event pipeline end to end inside one process, on a real SQLite database.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audit/audit_consumer.hpp"
#include "bus/consumer_runner.hpp"
#include "bus/outbox_relay.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/outbox_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sync.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "tasks/task_service.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// A local consumer that records what it handles; answers retry_later while `failing`.
class RecordingConsumer : public bus::Consumer {
 public:
  explicit RecordingConsumer(std::string name, bool failing = false)
      : name_(std::move(name)), failing_(failing) {}
  const std::string& name() const override { return name_; }
  const std::string& topic() const override { return topic_; }
  std::vector<Outcome> handle(storage::Tx&, std::span<const bus::Event> events) override {
    std::lock_guard lock(mutex_);
    ++attempts_;
    if (failing_) return std::vector<Outcome>(events.size(), Outcome::retry_later);
    batch_sizes_.push_back(events.size());
    for (const auto& e : events) pending_.push_back(e.event_id);
    return std::vector<Outcome>(events.size(), Outcome::done);
  }
  // Only what committed counts as received.
  void committed(std::span<const bus::Event>, std::span<const Outcome> outcomes, Millis) override {
    std::lock_guard lock(mutex_);
    std::size_t done = 0;
    for (auto o : outcomes) done += o == Outcome::done;
    received_.insert(received_.end(), pending_.end() - long(done), pending_.end());
    pending_.clear();
  }
  void set_failing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  // The size of each batch handled while not failing.
  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

 private:
  std::string name_;
  std::string topic_ = "task-events";
  bool failing_;
  int attempts_ = 0;
  std::mutex mutex_;
  std::vector<std::string> pending_, received_;
  std::vector<std::size_t> batch_sizes_;
};

// A publisher (an external bus) that records what it is handed; not accepting while paused.
class RecordingPublisher : public bus::Publisher {
 public:
  explicit RecordingPublisher(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Outcome publish(const bus::Batch& batch) override {
    std::lock_guard lock(mutex_);
    ++attempts_;
    for (const auto& row : batch) received_.push_back(row.event_id);
    batch_sizes_.push_back(batch.size());
    return Outcome::done;
  }
  bool accepting() override {
    ++asked;
    return open;
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }
  std::atomic<bool> open{true};
  std::atomic<int> asked{0};

 private:
  std::string name_;
  int attempts_ = 0;
  std::mutex mutex_;
  std::vector<std::string> received_;
  std::vector<std::size_t> batch_sizes_;
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

// With `legacy_heir` "audit" the audit consumer takes bit 1 (the migration's legacy bit);
// other targets get the next free bits in the order they first registered: 2, 4, ...
bus::RelayOptions audit_first(bus::RelayOptions options = {}) {
  options.legacy_heir = "audit";
  return options;
}

TEST_F(Pipeline, TheRelayStoresEveryEventInTheAuditExactlyOnce) {
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, audit_first());
  relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  ASSERT_EQ(writer.mask_for("task-events"), 1u);
  EXPECT_EQ(writer.mask_for("reminders"), 0u) << "no target of that topic: no event written";
  for (int i = 0; i < 50; ++i) create(i % 2 ? "u_a" : "u_b", "task " + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  relay.stop();  // nothing more can arrive after this
  EXPECT_EQ(audit("u_a").size(), 25u);
  EXPECT_EQ(audit("u_b").size(), 25u);
  // Newest first, and in commit order (ids of one user's events ascend with their tasks).
  auto rows = audit("u_a");
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_GT(rows[i - 1].task_id, rows[i].task_id);
}

// A consumer that keeps failing does not hold up another: the audit stores every event while
// the flaky one is still refusing them; then the flaky one gets each exactly once, in order.
TEST_F(Pipeline, AFailingConsumerIsRetriedWhileAnotherGoesOnAndThenGetsEveryEventOnce) {
  bus::RelayOptions options = audit_first();
  options.min_backoff = 20ms;
  options.max_backoff = 80ms;
  options.batch_size = 7;  // several batches
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
  auto flaky = std::make_shared<RecordingConsumer>("flaky", /*failing=*/true);
  relay.add(flaky);
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  ASSERT_EQ(writer.mask_for("task-events"), 1u | 2u);
  for (int i = 0; i < 20; ++i) create("u_a", "t" + std::to_string(i), 1 | 2);
  std::vector<std::string> ids;
  for (const auto& row : pending(2)) ids.push_back(row.event_id);
  ASSERT_EQ(ids.size(), 20u);
  ASSERT_TRUE(eventually([&] { return audit("u_a").size() == 20u && flaky->attempts() >= 3; }));
  EXPECT_TRUE(flaky->received().empty()) << "still failing: nothing of it committed";
  EXPECT_EQ(pending(2).size(), 20u) << "its backlog is kept";
  flaky->set_failing(false);
  ASSERT_TRUE(eventually([&] { return pending(1 | 2).empty(); }));
  relay.stop();
  EXPECT_EQ(flaky->received(), ids);  // in order, no duplicates
  EXPECT_EQ(audit("u_a").size(), 20u);
}

// A consumer with a backlog takes growing batches (each waits for its turn on the writer: fixed
// batches fall further behind under a load above a batch per turn), in order and once each; a
// publisher keeps its batch size (the bus's limits).
TEST_F(Pipeline, AConsumerBehindTakesGrowingBatchesAndAPublisherKeepsItsSize) {
  bus::RelayOptions options;
  options.min_backoff = 20ms;
  options.max_backoff = 40ms;
  options.batch_size = 7;
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  auto behind = std::make_shared<RecordingConsumer>("behind", /*failing=*/true);
  auto bus_out = std::make_shared<RecordingPublisher>("bus");
  bus_out->open = false;
  relay.add(behind);
  relay.add(bus_out);
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  const std::uint32_t mask = writer.mask_for("task-events");
  for (int i = 0; i < 100; ++i) create("u_a", "t" + std::to_string(i), mask);
  std::vector<std::string> ids;
  for (const auto& row : pending(mask)) ids.push_back(row.event_id);
  ASSERT_EQ(ids.size(), 100u);
  ASSERT_TRUE(eventually([&] { return behind->attempts() >= 1; }));
  behind->set_failing(false);
  bus_out->open = true;
  ASSERT_TRUE(eventually([&] { return pending(mask).empty(); }));
  relay.stop();
  EXPECT_EQ(behind->received(), ids);
  EXPECT_EQ(behind->batch_sizes(), (std::vector<std::size_t>{7, 14, 28, 51}));
  EXPECT_EQ(bus_out->received(), ids);
  auto sizes = bus_out->batch_sizes();
  EXPECT_EQ(sizes.size(), 15u);
  EXPECT_TRUE(std::all_of(sizes.begin(), sizes.end(), [](std::size_t n) { return n <= 7; }));
}

TEST_F(Pipeline, ADeadConsumerKeepsItsBacklogWhileOthersGoOn) {
  bus::RelayOptions options = audit_first();
  options.min_backoff = 20ms;
  options.max_backoff = 40ms;
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
  relay.add(std::make_shared<RecordingConsumer>("dead", /*failing=*/true));
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  for (int i = 0; i < 10; ++i)
    create("u_b", "t" + std::to_string(i), writer.mask_for("task-events"));
  ASSERT_TRUE(eventually([&] { return audit("u_b").size() == 10; }));
  EXPECT_EQ(pending(2).size(), 10u);  // kept, not dropped
  ASSERT_TRUE(eventually([&] { return pending(1).empty(); }));
  // ... and /metrics shows it, per target and in all (one query for every gauge)
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

TEST_F(Pipeline, APublisherThatIsNotAcceptingIsAskedAgainWithoutReadingTheOutbox) {
  bus::RelayOptions options;
  options.paused_check = 20ms;
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  auto paused = std::make_shared<RecordingPublisher>("paused");  // stands for Dapr's breaker
  paused->open = false;
  relay.add(paused);
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  std::uint32_t mask = writer.mask_for("task-events");
  ASSERT_NE(mask, 0u);
  EXPECT_EQ(writer.mask_for("any-topic"), mask) << "a publisher takes every topic";
  for (int i = 0; i < 5; ++i) create("u_a", "t" + std::to_string(i), mask);
  ASSERT_TRUE(eventually([&] { return paused->asked > 5; })) << "asked again and again";
  EXPECT_EQ(paused->attempts(), 0) << "no batch handed over while not accepting";
  EXPECT_EQ(pending(mask).size(), 5u);
  paused->open = true;
  ASSERT_TRUE(eventually([&] { return pending(mask).empty(); }));
  relay.stop();
  EXPECT_EQ(paused->received().size(), 5u);
  EXPECT_EQ(paused->attempts(), 1) << "the five events in one batch, once";
}

// The relay's wait after a wake-up follows the target's event rate (bus/gather_policy.hpp): the
// floor while events come one at a time, longer once a backlog came in full batches back to
// back; /metrics shows each target's.
TEST_F(Pipeline, ATargetWaitsLongerAfterWakeUpsWhenItsEventsComeFastAndMetricsSayHowLong) {
  bus::RelayOptions options;
  options.paused_check = 5ms;
  options.batch_size = 50;
  options.max_gather = 40ms;
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, options);
  auto out = std::make_shared<RecordingPublisher>("out");
  relay.add(out);
  db_->set_commit_listener([&relay](std::uint32_t targets) { relay.wake(targets); });
  relay.start();
  auto gather_ms = [&] {
    const std::string text = metrics_.render();
    const std::string key = "todo_relay_gather_seconds{subscriber=\"out\"} ";
    auto at = text.find(key);
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + key.size())) * 1000;
  };
  const std::uint32_t mask = writer.mask_for("task-events");
  create("u_a", "alone", mask);
  ASSERT_TRUE(eventually([&] { return pending(mask).empty(); }));
  EXPECT_DOUBLE_EQ(gather_ms(), 1.0) << "one event now and then: the floor";

  out->open = false;  // a backlog: 500 events in one commit
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    for (int i = 0; i < 500; ++i) {
      TaskFields f;
      f.title = "t" + std::to_string(i);
      ASSERT_TRUE(create_task(tx, "u_a", f, std::nullopt, now_millis(), mask).ok());
    }
  }));
  out->open = true;
  ASSERT_TRUE(eventually([&] { return pending(mask).empty(); }));
  const double after_backlog = gather_ms();
  relay.stop();
  EXPECT_EQ(out->received().size(), 501u);
  EXPECT_GE(out->batch_sizes().size(), 11u) << "the backlog in batches of 50";
  // Ten batches of 50 taken back to back: far more than an event per millisecond, unless a
  // batch took over 50 ms.
  EXPECT_GT(after_backlog, 1.0);
  EXPECT_LE(after_backlog, 40.0) << "never past max_gather";
}

TEST_F(Pipeline, TheSameEventDeliveredTwiceMakesOneAuditRow) {
  create("u_a", "once");
  auto batch = pending(1);
  ASSERT_EQ(batch.size(), 1u);
  std::vector<bus::Event> events{
      {batch[0].event_id, batch[0].user_id, batch[0].topic, batch[0].payload, batch[0].created_at}};
  audit::AuditConsumer consumer(metrics_);
  bus::ConsumerRunner runner(metrics_);
  bus::Handled first, second;
  ASSERT_TRUE(write([&](storage::Tx& tx) { first = runner.run(consumer, tx, events, 1); }));
  ASSERT_TRUE(write([&](storage::Tx& tx) { second = runner.run(consumer, tx, events, 2); }));
  EXPECT_FALSE(first.duplicate[0]);
  EXPECT_TRUE(second.duplicate[0]) << "the redelivery is recognised, the consumer not called";
  EXPECT_EQ(second.outcomes[0], Outcome::done);
  auto rows = audit("u_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_id, batch[0].event_id);
  EXPECT_EQ(rows[0].event_type, "created");
}

TEST_F(Pipeline, EventsCommittedWhileStoppedAreDeliveredAfterTheNextStart) {
  std::uint32_t mask = 0;
  {
    bus::OutboxWriter writer;
    bus::OutboxRelay relay(*db_, metrics_, writer, audit_first());
    relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
    relay.start();
    mask = writer.mask_for("task-events");
    relay.stop();
  }
  for (int i = 0; i < 5; ++i) create("u_a", "later " + std::to_string(i), mask);
  EXPECT_EQ(pending(mask).size(), 5u);
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, audit_first());
  relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
  relay.start();
  EXPECT_EQ(writer.mask_for("task-events"), mask) << "the same bit after a restart";
  EXPECT_TRUE(eventually([&] { return audit("u_a").size() == 5; }));
  relay.stop();
}

// Bits belong to names: a target keeps its bit whatever the order targets are added in, and
// rows written before bits had names (bit 1) go to the legacy heir.
TEST_F(Pipeline, TargetBitsFollowNamesNotRegistrationOrder) {
  create("u_a", "written by an older version", 1);  // the legacy bit
  std::uint32_t a_bit = 0, b_bit = 0;
  {
    bus::OutboxWriter writer;
    bus::OutboxRelay relay(*db_, metrics_, writer, audit_first());
    auto a = std::make_shared<RecordingConsumer>("a");
    relay.add(a);
    relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
    relay.start();
    ASSERT_TRUE(eventually([&] { return audit("u_a").size() == 1; }))
        << "the audit inherited the legacy bit though it was added second";
    relay.stop();
    EXPECT_TRUE(a->received().empty()) << "the legacy row was not addressed to a newcomer";
    std::vector<std::pair<std::string, std::int64_t>> bits;
    ASSERT_TRUE(read([&](storage::Tx& tx) {
      for (auto s = tx.sqlite()->prepare("SELECT name, bit FROM outbox_consumers ORDER BY bit");
           s.step();)
        bits.emplace_back(s.text(0), s.int64(1));
    }));
    ASSERT_EQ(bits.size(), 2u);
    EXPECT_EQ(bits[0], (std::pair<std::string, std::int64_t>{"audit", 1}));
    EXPECT_EQ(bits[1].first, "a");
    a_bit = std::uint32_t(bits[1].second);
  }
  bus::OutboxWriter writer;
  bus::OutboxRelay relay(*db_, metrics_, writer, audit_first());
  auto b = std::make_shared<RecordingConsumer>("b");
  relay.add(b);  // new, first now
  relay.add(std::make_shared<RecordingConsumer>("a"));
  relay.add(std::make_shared<audit::AuditConsumer>(metrics_));
  relay.start();
  relay.stop();
  ASSERT_TRUE(read([&](storage::Tx& tx) {
    auto s = tx.sqlite()->prepare("SELECT bit FROM outbox_consumers WHERE name = ?");
    s.bind(1, "a");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(std::uint32_t(s.int64(0)), a_bit) << "a keeps its bit";
    auto t = tx.sqlite()->prepare("SELECT bit FROM outbox_consumers WHERE name = ?");
    t.bind(1, "b");
    ASSERT_TRUE(t.step());
    b_bit = std::uint32_t(t.int64(0));
  }));
  EXPECT_NE(b_bit, a_bit);
  EXPECT_NE(b_bit, 1u);
  EXPECT_EQ(writer.mask_for("task-events"), 1u | a_bit | b_bit);
}

// Two relays sharing one outbox (as two api replicas do), each claiming its batches: every
// event is published by exactly one of them, each user's events in commit order. Replica 1
// holds its first batch until replica 2 has published one, so both are seen taking part.
TEST_F(Pipeline, TwoClaimingRelaysDeliverEachEventOnceInOrderAndBothTakePart) {
  struct Delivered {
    std::string holder, user_id;
    std::int64_t outbox_id;
  };
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    bool first_entered = false;  // replica 1 holds its first batch
    bool second_done = false;
    std::vector<Delivered> log;
  };
  class Recorder : public bus::Publisher {
   public:
    Recorder(std::string holder, Shared& shared)
        : name_("replica-publisher"), holder_(std::move(holder)), shared_(shared) {}
    const std::string& name() const override { return name_; }
    Outcome publish(const bus::Batch& batch) override {
      std::unique_lock lock(shared_.mutex);
      if (holder_ == "replica-1" && first_) {
        first_ = false;
        shared_.first_entered = true;
        shared_.changed.notify_all();
        // Holding our claim: the other replica must find other users' events meanwhile.
        EXPECT_TRUE(shared_.changed.wait_for(lock, 20s, [&] { return shared_.second_done; }))
            << "replica-2 never published while replica-1 held its batch";
      }
      for (const auto& row : batch) shared_.log.push_back({holder_, row.user_id, row.id});
      if (holder_ == "replica-2") {
        shared_.second_done = true;
        shared_.changed.notify_all();
      }
      return Outcome::done;
    }

   private:
    std::string name_, holder_;
    Shared& shared_;
    bool first_ = true;
  };
  // 20 users, so that replica 1's first claim (7 rows) leaves users for replica 2.
  std::vector<std::string> users;
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    for (int u = 0; u < 20; ++u) {
      users.push_back("u_r" + std::to_string(u));
      storage::users(tx).insert(User{users.back(), users.back() + "@example.com", "R", 1}, "hash");
    }
  }));
  Shared shared;
  std::vector<std::unique_ptr<bus::OutboxWriter>> writers;
  std::vector<std::unique_ptr<bus::OutboxRelay>> relays;
  for (const char* holder : {"replica-1", "replica-2"}) {
    bus::RelayOptions options;
    options.claim_holder = holder;
    options.batch_size = 7;  // many small batches, so that the relays take turns
    writers.push_back(std::make_unique<bus::OutboxWriter>());
    relays.push_back(std::make_unique<bus::OutboxRelay>(*db_, metrics_, *writers.back(), options));
    relays.back()->add(std::make_shared<Recorder>(holder, shared));
  }
  for (int i = 0; i < 200; ++i) create(users[std::size_t(i % 20)], "task " + std::to_string(i), 2);
  db_->set_commit_listener([&relays](std::uint32_t targets) {
    for (auto& r : relays) r->wake(targets);
  });
  relays[0]->start();
  ASSERT_EQ(writers[0]->mask_for("task-events"), 2u);
  {
    std::unique_lock lock(shared.mutex);
    ASSERT_TRUE(shared.changed.wait_for(lock, 20s, [&] { return shared.first_entered; }));
  }
  relays[1]->start();
  ASSERT_TRUE(eventually([&] { return pending(2).empty(); }, 30s));
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
  EXPECT_EQ(holders, (std::set<std::string>{"replica-1", "replica-2"}));
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
