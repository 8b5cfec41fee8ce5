#pragma once
// What the storage suites share (storage_test.cpp, outbox_storage_test.cpp,
// audit_storage_test.cpp, processed_events_storage_test.cpp): the backends
// to run on, the StorageTest fixture (a fresh Database per test, user ids with a prefix of
// the test's own), and helpers to await units and to force group-committed batches.
//
// Backends:
//   SQLite      always, in a fresh temporary file per test;
//   PostgreSQL  when TODO_TEST_DATABASE_URL is set (scripts/with-postgres.sh). When it is
//               not set the instantiation is skipped, or fails if TODO_REQUIRE_POSTGRES=1.
// The PostgreSQL database is shared across tests and runs: every test works under user ids
// with a prefix of its own, and never asserts on data it did not create.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "storage/async_reads.hpp"
#include "storage/database.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "tasks/cursor.hpp"
#include "tasks/task_writer.hpp"

namespace todo::storage::fixture {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Backend {
  std::string name;  // "sqlite" or "postgres"
  std::string url;   // PostgreSQL only; empty when required but not configured
};

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

inline std::vector<Backend> postgres_backends() {
  if (auto url = env("TODO_TEST_DATABASE_URL"); !url.empty()) return {{"postgres", url}};
  // Instantiated without a URL only to fail loudly in SetUp (CI must not skip silently).
  if (env("TODO_REQUIRE_POSTGRES") == "1") return {{"postgres", ""}};
  return {};
}

inline constexpr const char* kMissingPostgres =
    "TODO_REQUIRE_POSTGRES=1 but TODO_TEST_DATABASE_URL is not set: run the tests under "
    "scripts/with-postgres.sh (or point TODO_TEST_DATABASE_URL at a PostgreSQL 15 database)";

// PostgreSQL-only checks that need no repository data: url_ is the test database's URL; the
// test skips without one, and fails under TODO_REQUIRE_POSTGRES=1 (CI must not skip).
class PostgresOnly : public testing::Test {
 protected:
  void SetUp() override {
    url_ = env("TODO_TEST_DATABASE_URL");
    if (url_.empty() && env("TODO_REQUIRE_POSTGRES") == "1") GTEST_FAIL() << kMissingPostgres;
    if (url_.empty()) GTEST_SKIP() << "TODO_TEST_DATABASE_URL not set";
  }
  std::string url_;
};

inline std::string random_hex(int n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (int i = 0; i < n; ++i) out += "0123456789abcdef"[rng() % 16];
  return out;
}

// Submits a unit and waits for its completion.
inline Status await(const std::function<void(Done)>& submit) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  submit([promise](Status s) { promise->set_value(std::move(s)); });
  if (future.wait_for(60s) != std::future_status::ready)
    return Error::make(ErrorKind::internal, "no completion within 60 s");
  return future.get();
}

inline testing::AssertionResult ok(const Status& s) {
  if (s.ok()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "unit failed: " << s.error().detail;
}

// Holds every writer thread inside a unit until opened, so that the writes submitted
// meanwhile queue up and are taken as one group-committed batch.
class WriterGate {
 public:
  WriterGate() : opened_(open_.get_future().share()) {}
  ~WriterGate() { open(); }
  void hold(Database& db, int writers) {
    for (int i = 0; i < writers; ++i) {
      // One at a time: a writer busy in the first blocker cannot take the second.
      auto started = std::make_shared<std::promise<void>>();
      auto running = started->get_future();
      db.write(
          [started, opened = opened_](Tx&) {
            started->set_value();
            opened.wait_for(60s);  // bounded: a failed test must not hang stop()
          },
          [](Status) {});
      ASSERT_EQ(running.wait_for(30s), std::future_status::ready) << "writer never started";
    }
  }
  void open() {
    if (!is_open_.exchange(true)) open_.set_value();
  }

 private:
  std::promise<void> open_;
  std::shared_future<void> opened_;
  std::atomic<bool> is_open_{false};
};

// Collects the completions of many concurrent units.
class Completions {
 public:
  explicit Completions(int n) : results_(n), remaining_(n) {}
  Done done(int i) {
    return [this, i](Status s) {
      {
        std::lock_guard lock(mutex_);
        results_[i].emplace(std::move(s));
      }
      if (--remaining_ == 0) all_.set_value();
    };
  }
  bool wait(std::chrono::seconds timeout) {
    return all_future_.wait_for(timeout) == std::future_status::ready;
  }
  const Status& operator[](int i) const { return *results_[i]; }

 private:
  std::mutex mutex_;
  std::vector<std::optional<Status>> results_;
  std::atomic<int> remaining_;
  std::promise<void> all_;
  std::future<void> all_future_ = all_.get_future();
};

// Runs `io` until `done()` holds, at most 60 s (a lost answer must fail the test, not hang it).
// Not until it runs out of work: a pipelined connection's reader waits on it for good.
template <class Done>
void run_until(boost::asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(deadline - std::chrono::steady_clock::now());
}

// A page as text (each task's JSON, then the next cursor), to compare two reads of it.
inline std::string page_text(const TaskPage& page) {
  std::string out;
  for (const auto& t : page.items) out += task_json_text(t) + "\n";
  return out + "next: " + (page.next ? encode_cursor(*page.next) : "none");
}

class StorageTest : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (is_postgres() && GetParam().url.empty()) GTEST_FAIL() << kMissingPostgres;
    prefix_ = "st" + random_hex(12) + "_";
    if (!is_postgres()) {
      dir_ = fs::temp_directory_path() / ("todo-storage-" + random_hex(12));
      fs::create_directories(dir_);
    }
    db_ = open();
  }

  void TearDown() override {
    if (db_) db_->stop();
    db_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  bool is_postgres() const { return GetParam().name == "postgres"; }
  int writers() const { return is_postgres() ? 2 : 1; }

  // PostgreSQL: with one pipelined read connection (storage/async_reads.hpp), which list()
  // checks against the reader threads' answer.
  std::unique_ptr<Database> open() const {
    if (is_postgres()) {
      PostgresOptions options{GetParam().url, 2, writers(), 256};
      options.pipelined_reads = true;
      options.pipelined_connections = 1;
      return open_postgres(options);
    }
    return open_sqlite({(dir_ / "todo.db").string(), 2, 512});
  }

  Status write(Work work) {
    return await([&](Done d) { db_->write(std::move(work), d); });
  }
  Status read(Work work) {
    return await([&](Done d) { db_->read(std::move(work), d); });
  }

  std::string user_id(std::string_view name) const { return prefix_ + std::string(name); }
  std::string email(std::string_view name) const { return user_id(name) + "@example.com"; }
  void create_user(std::string_view name) {
    bool inserted = false;
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      inserted =
          storage::users(tx).insert(User{user_id(name), email(name), std::string(name), 1}, "hash");
    })));
    ASSERT_TRUE(inserted);
  }

  // Inserts every task in one unit, task i at now = created[i]; returns their ids.
  std::vector<std::int64_t> insert_all(std::string_view user, const std::vector<TaskFields>& tasks,
                                       const std::vector<Millis>& created) {
    std::vector<std::int64_t> ids;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      ids.clear();  // a unit may be re-run
      for (std::size_t i = 0; i < tasks.size(); ++i)
        ids.push_back(storage::tasks(tx).insert(user_id(user), tasks[i], created[i]).id);
    })));
    return ids;
  }

  // The page read as a unit; on PostgreSQL also read pipelined on this test's io_context,
  // which must give the same page.
  TaskPage list(std::string_view user, const TaskQuery& q) {
    TaskPage page;
    EXPECT_TRUE(ok(read([&](Tx& tx) { page = storage::tasks(tx).list(user_id(user), q); })));
    if (is_postgres()) {
      auto pipelined = pipelined_page(user, q);
      EXPECT_TRUE(pipelined.has_value()) << "the pipelined read declined";
      if (pipelined) {
        EXPECT_EQ(page_text(*pipelined), page_text(page));
      }
    }
    return page;
  }
  // The page through db_->async_reads() on io_, or nullopt when it declined (or there is none).
  std::optional<TaskPage> pipelined_page(std::string_view user, const TaskQuery& q) {
    const std::string uid = user_id(user);
    return pipelined<TaskPage>([&](AsyncReads& reads) { return reads.task_page(uid, q); });
  }
  // What `read(AsyncReads&)` (an awaitable of std::optional<T>) gives on io_, this test's
  // thread; nullopt when it declined or there is no db_->async_reads(). What the read refers to
  // must outlive the call.
  template <typename T, typename Read>
  std::optional<T> pipelined(Read read) {
    AsyncReads* reads = db_->async_reads();
    if (!reads) return std::nullopt;
    std::optional<std::optional<T>> out;
    boost::asio::co_spawn(
        io_, [&]() -> boost::asio::awaitable<void> { out = co_await read(*reads); },
        boost::asio::detached);
    run_until(io_, [&] { return out.has_value(); });
    return out ? std::move(*out) : std::nullopt;
  }
  std::vector<std::int64_t> list_ids(std::string_view user, TaskQuery q) {
    q.limit = 1000;
    std::vector<std::int64_t> ids;
    for (const auto& t : list(user, q).items) ids.push_back(t.id);
    return ids;
  }
  std::vector<std::int64_t> all_tasks(std::string_view user) {
    std::vector<std::int64_t> ids;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      TaskQuery q;
      q.limit = 100000;
      for (const auto& t : storage::tasks(tx).list(user_id(user), q).items) ids.push_back(t.id);
    })));
    return ids;
  }

  std::string prefix_;
  fs::path dir_;
  boost::asio::io_context io_{1};  // the "I/O thread" of pipelined reads: this test's thread
  std::unique_ptr<Database> db_;
};

}  // namespace todo::storage::fixture
