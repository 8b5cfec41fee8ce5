// Task pages read on an I/O thread in libpq's pipeline mode (storage/async_reads.hpp,
// postgres/pg_pipeline.hpp): many at once on one connection, each answer to its own reader;
// a broken connection falls back to reader threads and is replaced; an io_context that goes
// away with a read in flight retires its connection. Every list() of the other storage tests
// also compares the pipelined page with the reader thread's (storage_fixture.hpp).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "ops/metrics.hpp"
#include "storage/async_reads.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_pipeline.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;
namespace asio = boost::asio;

class PipelinedReadsTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (!is_postgres()) GTEST_SKIP() << "PostgreSQL only (SQLite reads are local calls)";
    ASSERT_NE(db_->async_reads(), nullptr);
  }
  AsyncReadStats stats() const { return db_->async_reads()->stats(); }

  // Ids of `user`'s tasks, newest first (the default order).
  std::vector<std::int64_t> expected_ids(std::string_view user) {
    std::vector<std::int64_t> ids;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      for (const auto& t : storage::tasks(tx).list(user_id(user), TaskQuery{}).items)
        ids.push_back(t.id);
    })));
    return ids;
  }
  // A page through read_task_page (pipelined, or a unit when that declines) on `io`.
  Result<TaskPage> read_page(asio::io_context& io, std::string_view user) {
    std::optional<Result<TaskPage>> out;
    const std::string uid = user_id(user);
    const TaskQuery q;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> { out = co_await read_task_page(*db_, metrics_, uid, q); },
        asio::detached);
    run_until(io, [&] { return out.has_value(); });
    if (!out) return Error::make(ErrorKind::internal, "no answer within 60 s");
    return std::move(*out);
  }
  // Users "<prefix>0" … "<prefix>(n-1)", user u with u + 1 tasks of its own (tagged with its
  // name); the ids of each one's tasks, newest first.
  std::vector<std::vector<std::int64_t>> users_with_tasks(const std::string& prefix, int n) {
    std::vector<std::vector<std::int64_t>> expected(n);
    for (int u = 0; u < n; ++u) {
      const std::string name = prefix + std::to_string(u);
      create_user(name);
      std::vector<TaskFields> fields;
      std::vector<Millis> created;
      for (int i = 0; i <= u; ++i) {
        fields.push_back({.title = name + " task " + std::to_string(i), .tags = {name}});
        created.push_back(1000 + i);
      }
      insert_all(name, fields, created);
      expected[u] = expected_ids(name);
      EXPECT_EQ(expected[u].size(), std::size_t(u + 1));
    }
    return expected;
  }
  static std::vector<std::int64_t> ids_of(const TaskPage& page) {
    std::vector<std::int64_t> ids;
    for (const auto& t : page.items) ids.push_back(t.id);
    return ids;
  }
  // The pipelined connection of io_ (this test's thread); null, and a failure, when none.
  std::shared_ptr<postgres::PipelinedConnection> connection() {
    auto* reads = dynamic_cast<postgres::PgAsyncReads*>(db_->async_reads());
    auto conn = reads ? reads->connection_for(io_) : nullptr;
    EXPECT_NE(conn, nullptr) << "no pipelined connection for this test's io_context";
    return conn;
  }
  // The process id of the backend serving `io`'s pipelined reads.
  int backend_of(asio::io_context& io) {
    auto* reads = dynamic_cast<postgres::PgAsyncReads*>(db_->async_reads());
    auto conn = reads ? reads->connection_for(io) : nullptr;
    return conn ? conn->backend_pid() : 0;
  }

  ops::Metrics metrics_;
};

TEST_P(PipelinedReadsTest, ManyPagesAtOnceEachGoToItsOwnReader) {
  // Ten users with tasks of their own; 100 pages asked for at once on one I/O thread (more
  // than a connection takes in flight: those fall back to units). Any answer handed to the
  // wrong coroutine shows up as another user's ids.
  constexpr int kUsers = 10;
  const auto expected = users_with_tasks("u", kUsers);
  const auto before = stats();
  constexpr int kReads = 100;
  std::vector<std::optional<Result<TaskPage>>> answers(kReads);
  std::vector<std::string> users(kReads);
  const TaskQuery q;
  for (int i = 0; i < kReads; ++i) {
    users[i] = user_id("u" + std::to_string(i % kUsers));
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          answers[i] = co_await read_task_page(*db_, metrics_, users[i], q);
        },
        asio::detached);
  }
  run_until(io_, [&] {
    return std::all_of(answers.begin(), answers.end(), [](const auto& a) { return a.has_value(); });
  });
  for (int i = 0; i < kReads; ++i) {
    ASSERT_TRUE(answers[i].has_value()) << "read " << i << " never answered";
    ASSERT_TRUE(answers[i]->ok()) << answers[i]->error().detail;
    EXPECT_EQ(ids_of(answers[i]->value()), expected[i % kUsers]) << "read " << i;
  }
  const auto after = stats();
  EXPECT_EQ(after.pipelined + after.fallbacks - before.pipelined - before.fallbacks,
            std::uint64_t(kReads));
  EXPECT_GE(after.pipelined - before.pipelined, postgres::PipelinedConnection::kMaxInFlight);
}

TEST_P(PipelinedReadsTest, ReadsThatKeepComingEachGetTheirOwnPageBatchAfterBatch) {
  // Five readers on one I/O thread, each reading its own user's page twenty times in a row:
  // statements are sent while earlier ones are being answered, in every interleaving.
  constexpr int kReaders = 5;
  constexpr int kRounds = 20;
  const auto expected = users_with_tasks("r", kReaders);
  std::vector<std::string> users(kReaders);
  for (int u = 0; u < kReaders; ++u) users[u] = user_id("r" + std::to_string(u));
  const auto before = stats();
  std::vector<int> done(kReaders, 0);
  std::vector<std::string> wrong;
  const TaskQuery q;
  for (int u = 0; u < kReaders; ++u)
    asio::co_spawn(
        io_,
        [&, u]() -> asio::awaitable<void> {
          for (int round = 0; round < kRounds; ++round) {
            auto page = co_await read_task_page(*db_, metrics_, users[u], q);
            if (!page.ok())
              wrong.push_back("reader " + std::to_string(u) + ": " + page.error().detail);
            else if (ids_of(page.value()) != expected[u])
              wrong.push_back("reader " + std::to_string(u) + " got another page");
            ++done[u];
          }
        },
        asio::detached);
  run_until(io_, [&] {
    return std::all_of(done.begin(), done.end(), [](int n) { return n == kRounds; });
  });
  for (int u = 0; u < kReaders; ++u) EXPECT_EQ(done[u], kRounds) << "reader " << u;
  EXPECT_TRUE(wrong.empty()) << wrong.front();
  EXPECT_EQ(stats().pipelined - before.pipelined, std::uint64_t(kReaders * kRounds))
      << "every read fits in flight: none should have fallen back";
}

TEST_P(PipelinedReadsTest, AFailedStatementEndsOnlyItselfAndTheConnectionServesOn) {
  auto conn = connection();
  ASSERT_NE(conn, nullptr);
  using postgres::Params;
  using postgres::ResultFormat;
  // Sent together, all in flight at once: a good statement, one that fails when it runs
  // (division by zero), one that cannot even be prepared, and another good one. Each has its
  // own Sync: the failures get no answer (their callers read them again as units), and the
  // statements around them get theirs.
  struct Ask {
    std::string sql;
    Params params;
    std::optional<std::optional<std::int64_t>> answer;
  };
  std::vector<Ask> asks;
  asks.push_back({"SELECT $1::bigint + 1", Params().add(std::int64_t(41)), {}});
  asks.push_back({"SELECT 1 / $1::bigint", Params().add(std::int64_t(0)), {}});
  asks.push_back({"SELECT no_such_column FROM tasks", Params(), {}});
  asks.push_back({"SELECT $1::bigint * 2", Params().add(std::int64_t(21)), {}});
  auto run = [&](Ask& ask) -> asio::awaitable<void> {
    auto rows = co_await conn->query(ask.sql, ask.params, ResultFormat::text);
    ask.answer.emplace();
    if (rows) *ask.answer = rows->int64(0, 0);
  };
  for (auto& ask : asks) asio::co_spawn(io_, run(ask), asio::detached);
  run_until(io_, [&] {
    return std::all_of(asks.begin(), asks.end(), [](const Ask& a) { return a.answer.has_value(); });
  });
  for (const auto& ask : asks) ASSERT_TRUE(ask.answer.has_value()) << ask.sql << ": no answer";
  EXPECT_EQ(*asks[0].answer, std::optional<std::int64_t>(42));
  EXPECT_EQ(*asks[1].answer, std::nullopt);
  EXPECT_EQ(*asks[2].answer, std::nullopt);
  EXPECT_EQ(*asks[3].answer, std::optional<std::int64_t>(42)) << "an error ended another statement";
  EXPECT_TRUE(conn->usable());

  // Later statements run normally, those that were prepared before included.
  std::vector<Ask> again;
  again.push_back({"SELECT $1::bigint + 1", Params().add(std::int64_t(1)), {}});
  again.push_back({"SELECT $1::bigint * 2", Params().add(std::int64_t(5)), {}});
  for (auto& ask : again) asio::co_spawn(io_, run(ask), asio::detached);
  run_until(io_, [&] {
    return std::all_of(again.begin(), again.end(),
                       [](const Ask& a) { return a.answer.has_value(); });
  });
  ASSERT_TRUE(again[0].answer.has_value() && again[1].answer.has_value());
  EXPECT_EQ(*again[0].answer, std::optional<std::int64_t>(2));
  EXPECT_EQ(*again[1].answer, std::optional<std::int64_t>(10));
  EXPECT_TRUE(conn->usable());
}

TEST_P(PipelinedReadsTest, AStatementThatFailsWhenItRunsKeepsTheConnectionsPreparedStatements) {
  auto conn = connection();
  ASSERT_NE(conn, nullptr);
  using postgres::Params;
  // One statement at a time on io_: its first column as an integer, nullopt when it failed.
  auto ask = [&](const std::string& sql, const Params& params) {
    std::optional<std::optional<std::int64_t>> answer;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto rows = co_await conn->query(sql, params, postgres::ResultFormat::text);
          answer.emplace();
          if (rows) *answer = rows->int64(0, 0);
        },
        asio::detached);
    run_until(io_, [&] { return answer.has_value(); });
    EXPECT_TRUE(answer.has_value()) << sql << ": no answer";
    return answer.value_or(std::nullopt);
  };
  const std::string kept = "SELECT $1::bigint + 100";
  const std::string failing = "SELECT 1 / $1::bigint";
  for (std::int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(ask(kept, Params().add(i)), std::optional<std::int64_t>(100 + i));
    EXPECT_EQ(ask(failing, Params().add(std::int64_t(0))), std::nullopt);  // division by zero
  }
  // One statement that cannot be prepared, twice: each time its own failure only.
  EXPECT_EQ(ask("SELECT no_such_column FROM tasks", Params()), std::nullopt);
  EXPECT_EQ(ask("SELECT no_such_column FROM tasks", Params()), std::nullopt);
  EXPECT_EQ(ask(kept, Params().add(std::int64_t(7))), std::optional<std::int64_t>(107));
  // Each text prepared once on this session, however many errors came between its uses
  // (forgetting them at each error left one more on the server each time).
  const std::string count =
      "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1 OR statement = $2";
  EXPECT_EQ(ask(count, Params().add(kept).add(failing)), std::optional<std::int64_t>(2));
  EXPECT_TRUE(conn->usable());
}

TEST_P(PipelinedReadsTest, LargeStatementsAndLargeResultsBothWaysDoNotDeadlock) {
  auto conn = connection();
  ASSERT_NE(conn, nullptr);
  // All sent at once: first a statement whose 64 MiB result the server is still sending
  // when it should read the next statements, then fifteen statements of 4 MiB each (echoed).
  // That is more than the socket buffers hold either way: the server stops reading our
  // statements until we read its result, so output pending must not stop us reading
  // (libpq's rule).
  constexpr int kEchoes = 15;
  constexpr std::size_t kBig = 64u << 20;
  constexpr std::size_t kBytes = 4u << 20;
  struct Ask {
    std::string sql;
    postgres::Params params;
    std::optional<std::optional<std::string>> answer;
  };
  std::vector<Ask> asks(kEchoes + 1);
  asks[0].sql = "SELECT repeat('x', $1::integer) || '!'";
  asks[0].params.add(std::int64_t(kBig - 1));
  for (int i = 1; i <= kEchoes; ++i) {
    asks[i].sql = "SELECT $1::text";
    asks[i].params.add(std::string(kBytes - 1, char('a' + i)) + "!");
  }
  auto run = [&](Ask& ask) -> asio::awaitable<void> {
    auto rows = co_await conn->query(ask.sql, ask.params, postgres::ResultFormat::text);
    ask.answer.emplace();
    if (rows) *ask.answer = rows->text(0, 0);
  };
  for (auto& ask : asks) asio::co_spawn(io_, run(ask), asio::detached);
  run_until(io_, [&] {
    return std::all_of(asks.begin(), asks.end(), [](const Ask& a) { return a.answer.has_value(); });
  });
  for (int i = 0; i <= kEchoes; ++i) {
    ASSERT_TRUE(asks[i].answer.has_value()) << "statement " << i << ": no answer within 60 s";
    ASSERT_TRUE(asks[i].answer->has_value()) << "statement " << i << " failed";
    const std::string& got = **asks[i].answer;
    EXPECT_EQ(got.size(), i == 0 ? kBig : kBytes);
    EXPECT_EQ(got.front(), i == 0 ? 'x' : char('a' + i))
        << "statement " << i << ": another's answer";
    EXPECT_EQ(got.back(), '!');
  }
  EXPECT_TRUE(conn->usable());
}

TEST_P(PipelinedReadsTest, OneTaskReadPipelinedIsTheStoresAndOnlyItsOwners) {
  create_user("a");
  create_user("b");
  const auto ids = insert_all(
      "a", {{.title = "with \"quotes\"", .description = "d", .tags = {"x", "y"}}, {.title = "two"}},
      {100, 200});
  const auto other = insert_all("b", {{.title = "b's"}}, {300});
  auto piped = [&](std::string_view user, std::int64_t id) {
    const std::string uid = user_id(user);
    return pipelined<std::optional<Task>>([&](AsyncReads& reads) { return reads.task(uid, id); });
  };
  for (const std::int64_t id : ids) {
    std::optional<Task> unit;
    ASSERT_TRUE(ok(read([&](Tx& tx) { unit = storage::tasks(tx).find(user_id("a"), id); })));
    ASSERT_TRUE(unit.has_value());
    auto got = piped("a", id);
    ASSERT_TRUE(got.has_value()) << "the pipelined read declined";
    ASSERT_TRUE(got->has_value()) << "task " << id << " not found pipelined";
    EXPECT_EQ(task_json_text(**got), task_json_text(*unit));
  }
  // Another user's task, and an id no task has: found by no one but its owner.
  auto theirs = piped("a", other[0]);
  ASSERT_TRUE(theirs.has_value());
  EXPECT_FALSE(theirs->has_value()) << "user a read user b's task";
  auto missing = piped("a", ids.back() + 1'000'000);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
  auto own = piped("b", other[0]);
  ASSERT_TRUE(own.has_value() && own->has_value());
  EXPECT_EQ((*own)->title, "b's");
}

TEST_P(PipelinedReadsTest, ABrokenConnectionFallsBackThenIsReplaced) {
  create_user("a");
  insert_all("a", {{.title = "one"}, {.title = "two"}}, {100, 200});
  const auto expected = expected_ids("a");
  auto first = read_page(io_, "a");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids_of(first.value()), expected);
  const int pid = backend_of(io_);
  ASSERT_NE(pid, 0);
  EXPECT_EQ(stats().pipelined, 1u);

  // The session ends under it (a restart, an idle-session killer, a failover).
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    tx.postgres()->exec("SELECT pg_terminate_backend($1)",
                        postgres::Params().add(std::int64_t(pid)));
  })));
  // Gone for good before the next read (a backend still running would answer it).
  const auto gone_by = std::chrono::steady_clock::now() + 30s;
  std::int64_t alive = 1;
  while (alive > 0 && std::chrono::steady_clock::now() < gone_by) {
    ASSERT_TRUE(ok(read([&](Tx& tx) {
      alive = tx.postgres()
                  ->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                         postgres::Params().add(std::int64_t(pid)))
                  .int64(0, 0);
    })));
  }
  ASSERT_EQ(alive, 0) << "the backend did not end within 30 s";
  auto during = read_page(io_, "a");
  ASSERT_TRUE(during.ok()) << during.error().detail;
  EXPECT_EQ(ids_of(during.value()), expected);
  EXPECT_EQ(stats().fallbacks, 1u);

  // A new connection is opened on a reader thread; reads go pipelined again once it is there.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (stats().pipelined < 2 && std::chrono::steady_clock::now() < deadline) {
    auto page = read_page(io_, "a");
    ASSERT_TRUE(page.ok()) << page.error().detail;
    EXPECT_EQ(ids_of(page.value()), expected);
  }
  EXPECT_EQ(stats().pipelined, 2u) << "no replacement connection within 30 s";
  EXPECT_NE(backend_of(io_), pid);
}

TEST_P(PipelinedReadsTest, AnIoContextGoneWithAReadInFlightRetiresItsConnection) {
  create_user("a");
  insert_all("a", {{.title = "one"}}, {100});
  const auto expected = expected_ids("a");
  // A lock that holds the pipelined SELECT on the server until the test lets it go.
  auto locked = std::make_shared<std::promise<void>>();
  auto is_locked = locked->get_future();
  std::promise<void> release;
  auto released = release.get_future().share();
  db_->write(
      [locked, released](Tx& tx) {
        tx.postgres()->exec_script("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE");
        locked->set_value();
        released.wait_for(60s);
      },
      [](Status) {});
  ASSERT_EQ(is_locked.wait_for(30s), std::future_status::ready);

  std::optional<std::optional<TaskPage>> answer;
  std::shared_ptr<postgres::PipelinedConnection> held;  // to look at it after the io_context
  {
    asio::io_context doomed{1};
    const std::string uid = user_id("a");
    const TaskQuery q;
    AsyncReads* reads = db_->async_reads();
    asio::co_spawn(
        doomed, [&]() -> asio::awaitable<void> { answer = co_await reads->task_page(uid, q); },
        asio::detached);
    doomed.poll();  // sent; the reader waits for the answer the lock holds back
    EXPECT_FALSE(answer.has_value());
    held = dynamic_cast<postgres::PgAsyncReads&>(*reads).connection_for(doomed);
    ASSERT_NE(held, nullptr);
    EXPECT_TRUE(held->usable());
  }  // destroyed with the read in flight: its coroutine goes, the connection retires
  release.set_value();
  EXPECT_FALSE(answer.has_value());
  EXPECT_FALSE(held->usable()) << "the connection was not retired with its io_context";
  held.reset();

  // Another thread's read falls back (the one spare is gone) and answers correctly.
  auto page = read_page(io_, "a");
  ASSERT_TRUE(page.ok()) << page.error().detail;
  EXPECT_EQ(ids_of(page.value()), expected);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PipelinedReadsTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
