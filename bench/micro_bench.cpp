// Micro-benchmarks of the per-request domain work: validating a task body, rendering a
// task, verifying a JWT, and reading a page of tasks from PostgreSQL in the text or the binary
// result format (only with TODO_TEST_DATABASE_URL set, e.g. under scripts/with-postgres.sh).
// Run: ./build/bench/micro_bench
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>

#include "auth/jwt.hpp"
#include "auth/revocations.hpp"
#include "core/time.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "tasks/task_json.hpp"
#include "tasks/task_query.hpp"
#include "tasks/task_validation.hpp"
#include "tasks/task_writer.hpp"

namespace {

constexpr std::string_view kTypicalBody = R"({
  "title": "Pay rent",
  "description": "Transfer to the landlord before the first of the month.",
  "priority": "high",
  "tags": ["home", "finance", "monthly"],
  "due_at": "2026-12-01T09:00:00Z",
  "remind_at": "2026-12-01T08:30:00+01:00",
  "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1",
  "timezone": "Europe/Berlin"
})";

todo::Task typical_task() {
  todo::Task t;
  t.id = 42;
  t.user_id = "u_abcdefghijklmnopqrst";
  t.title = "Pay rent";
  t.description = "Transfer to the landlord before the first of the month.";
  t.priority = todo::Priority::high;
  t.tags = {"home", "finance", "monthly"};
  t.due_at = 1'796'115'600'000;
  t.remind_at = 1'796'113'800'000;
  t.recurrence = "FREQ=MONTHLY;BYMONTHDAY=1";
  t.timezone = "Europe/Berlin";
  t.created_at = 1'767'225'600'123;
  t.updated_at = 1'767'225'600'456;
  t.version = 3;
  return t;
}

void BM_ParseTaskFields(benchmark::State& state) {
  const boost::json::value body = boost::json::parse(kTypicalBody);
  for (auto _ : state) {
    auto fields = todo::parse_task_fields(body);
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(BM_ParseTaskFields);

void BM_ParseJsonAndTaskFields(benchmark::State& state) {
  for (auto _ : state) {
    auto fields = todo::parse_task_fields(boost::json::parse(kTypicalBody));
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(BM_ParseJsonAndTaskFields);

void BM_TaskToJsonSerialize(benchmark::State& state) {
  const todo::Task task = typical_task();
  for (auto _ : state) {
    std::string out = boost::json::serialize(todo::task_to_json(task));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TaskToJsonSerialize);

// The hand writer the list route uses (src/tasks/task_writer.cpp), for comparison.
void BM_TaskJsonText(benchmark::State& state) {
  const todo::Task task = typical_task();
  for (auto _ : state) {
    std::string out = todo::task_json_text(task);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TaskJsonText);

void BM_VerifyJwt(benchmark::State& state) {
  const std::string secret = "a-32-byte-secret-for-benchmarks!";
  const todo::Millis now = todo::now_millis();
  const todo::JwtOptions options;
  const std::string token = todo::sign_jwt(
      todo::new_jwt_claims("u_abcdefghijklmnopqrst", now, 3'600'000), secret, options);
  for (auto _ : state) {
    auto claims = todo::verify_jwt(token, secret, now, options);
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_VerifyJwt);

// What every authenticated request adds to the JWT check (auth/revocations.hpp): nothing
// revoked (one atomic load), or state.range(0) ended sessions and cutoffs of other users
// (a shared lock and two hash lookups).
void BM_RevocationCheck(benchmark::State& state) {
  todo::auth::RevocationState revocations;
  const todo::Millis now = todo::now_millis();
  for (int i = 0; i < state.range(0); ++i) {
    revocations.add(todo::TokenRevocation{"jti-" + std::to_string(i), "u_other", now + 3'600'000});
    revocations.add(todo::UserCutoff{"u_other" + std::to_string(i), now, now + 3'600'000});
  }
  const todo::JwtClaims claims = todo::new_jwt_claims("u_abcdefghijklmnopqrst", now, 3'600'000);
  for (auto _ : state) {
    auto refused = revocations.check(claims);
    benchmark::DoNotOptimize(refused);
  }
}
BENCHMARK(BM_RevocationCheck)->Arg(0)->Arg(10'000);

// One page of a task list as the PostgreSQL store reads it (pg_tasks.cpp: 51 rows of its 16
// columns, every column through the typed accessors), in the text (state.range(0) == 0) or
// the binary result format (1). Wall time per page: the query's round trip, PostgreSQL
// printing or sending the values, and the reading here (one connection, so the two take
// turns on the CPU).
void BM_PgTaskPage(benchmark::State& state) {
  const char* url = std::getenv("TODO_TEST_DATABASE_URL");
  if (!url) {
    state.SkipWithError("TODO_TEST_DATABASE_URL is not set");
    return;
  }
  using todo::storage::postgres::Params;
  using todo::storage::postgres::ResultFormat;
  todo::storage::postgres::Handle db(url);
  db.exec_script(
      "CREATE TEMP TABLE page (id bigint, user_id text, title text, description text, completed "
      "boolean, priority smallint, tags text[], due_at bigint, remind_at bigint, recurrence "
      "text, timezone text, created_at bigint, updated_at bigint, completed_at bigint, version "
      "bigint, series_id bigint);"
      "INSERT INTO page SELECT n, 'u_abcdefghijklmnopqrstuvwx', 'Pay rent ' || n, "
      "'Transfer to the landlord before the first of the month.', n % 2 = 0, 3, "
      "ARRAY['home', 'finance', 'monthly'], 1764579600000 + n, NULL, 'FREQ=MONTHLY;BYMONTHDAY=1', "
      "'Europe/Berlin', 1764500000000 + n, 1764500000000 + n, NULL, 1, NULL "
      "FROM generate_series(1, 51) AS n");
  const auto format = state.range(0) == 0 ? ResultFormat::text : ResultFormat::binary;
  const std::string sql = "SELECT * FROM page WHERE user_id = $1 ORDER BY id LIMIT 51";
  for (auto _ : state) {
    auto r = db.exec(sql, Params().add("u_abcdefghijklmnopqrstuvwx"), format);
    std::int64_t sum = 0;
    for (int row = 0; row < r.size(); ++row) {
      sum += r.int64(row, 0) + r.text(row, 1).size() + r.text(row, 2).size();
      sum += r.text(row, 3).size() + r.boolean(row, 4) + r.int64(row, 5);
      sum += std::int64_t(r.text_array(row, 6).size()) + r.opt_int64(row, 7).value_or(0);
      sum += r.opt_int64(row, 8).value_or(0) + r.opt_text(row, 9).value_or("").size();
      sum += r.text(row, 10).size() + r.int64(row, 11) + r.int64(row, 12);
      sum += r.opt_int64(row, 13).value_or(0) + r.int64(row, 14) + r.opt_int64(row, 15).value_or(0);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetLabel(state.range(0) == 0 ? "text" : "binary");
}
BENCHMARK(BM_PgTaskPage)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
