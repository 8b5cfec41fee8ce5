// Micro-benchmarks of the per-request domain work: validating a task body, rendering a
// task, and verifying a JWT. Run: ./build/bench/micro_bench
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/jwt.hpp"
#include "auth/revocations.hpp"
#include "core/time.hpp"
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

}  // namespace

BENCHMARK_MAIN();
