// RevocationState (auth/revocations.hpp): which verified tokens a process refuses from
// memory — an ended session by its jti, a user's sessions issued before a cutoff, every token
// of a deleted account — and that entries go once nothing they concern can be valid.
#include "auth/revocations.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace todo::auth {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kNow = 1'769'767'200'000;  // a whole second

JwtClaims token(std::string user, std::string jti, Millis iat) {
  JwtClaims c;
  c.subject = std::move(user);
  c.token_id = std::move(jti);
  c.issued_at = iat;
  c.expires_at = iat + 3600 * kSecond;
  return c;
}

std::string refusal(const RevocationState& state, const JwtClaims& claims) {
  auto e = state.check(claims);
  if (!e) return "";
  EXPECT_EQ(e->kind, ErrorKind::unauthorized);
  return e->detail;
}

TEST(Revocations, NothingRevokedLetsEveryTokenPass) {
  RevocationState state;
  EXPECT_EQ(refusal(state, token("u_a", "j1", kNow)), "");
  EXPECT_EQ(state.size(), 0u);
}

TEST(Revocations, AnEndedSessionIsRefusedByItsJtiOnly) {
  RevocationState state;
  state.add(TokenRevocation{"j1", "u_a", kNow + 3600 * kSecond});
  EXPECT_NE(refusal(state, token("u_a", "j1", kNow)).find("signed out"), std::string::npos);
  EXPECT_EQ(refusal(state, token("u_a", "j2", kNow)), "") << "another session of the same user";
  EXPECT_EQ(refusal(state, token("u_b", "j3", kNow)), "");
}

TEST(Revocations, ACutoffRefusesTokensIssuedBeforeItOnly) {
  RevocationState state;
  state.add(UserCutoff{"u_a", kNow, kNow + 3600 * kSecond});
  EXPECT_NE(refusal(state, token("u_a", "old", kNow - kSecond)).find("sign in again"),
            std::string::npos);
  // iat has whole seconds: a token of the cutoff's own second is not refused by the cutoff
  // (its session is ended by jti when it existed before), so a sign-in right after works.
  EXPECT_EQ(refusal(state, token("u_a", "same-second", kNow)), "");
  EXPECT_EQ(refusal(state, token("u_a", "new", kNow + kSecond)), "");
  EXPECT_EQ(refusal(state, token("u_b", "other-user", kNow - kSecond)), "");
  EXPECT_EQ(state.cutoff_of("u_a"), kNow);
  EXPECT_EQ(state.cutoff_of("u_b"), 0);
}

TEST(Revocations, ALaterCutoffWinsAnEarlierOneChangesNothing) {
  RevocationState state;
  state.add(UserCutoff{"u_a", kNow, kNow + 10 * kSecond});
  state.add(
      UserCutoff{"u_a", kNow - 5 * kSecond, kNow + 20 * kSecond});  // e.g. a late notification
  EXPECT_EQ(state.cutoff_of("u_a"), kNow);
  EXPECT_NE(refusal(state, token("u_a", "j", kNow - kSecond)), "");
  // ... but the later expiry was kept: purging at kNow + 15 s keeps the entry.
  state.purge(kNow + 15 * kSecond);
  EXPECT_EQ(state.cutoff_of("u_a"), kNow);
  state.add(UserCutoff{"u_a", kNow + 2 * kSecond, kNow + 20 * kSecond});
  EXPECT_NE(refusal(state, token("u_a", "j", kNow + kSecond)), "");
}

TEST(Revocations, ADeletedAccountRefusesEveryTokenWhateverItsIssueTime) {
  RevocationState state;
  state.add(UserCutoff{"u_gone", kAccountDeleted, kNow + 3600 * kSecond});
  for (Millis iat : {kNow - 3600 * kSecond, kNow, kNow + 60 * kSecond})
    EXPECT_EQ(refusal(state, token("u_gone", "j", iat)), "the account no longer exists");
}

TEST(Revocations, MergeIsAUnionWhateverTheOrder) {
  RevocationState a, b;
  std::vector<TokenRevocation> tokens{{"j1", "u_a", kNow + 100}, {"j2", "u_b", kNow + 100}};
  std::vector<UserCutoff> cutoffs{{"u_c", kNow, kNow + 100}};
  a.add(tokens[0]);
  a.merge(tokens, cutoffs);  // a reload that contains what the process added itself
  b.merge(tokens, cutoffs);
  b.add(tokens[0]);
  for (auto* s : {&a, &b}) {
    EXPECT_EQ(s->size(), 3u);
    EXPECT_NE(refusal(*s, token("u_a", "j1", kNow)), "");
    EXPECT_NE(refusal(*s, token("u_b", "j2", kNow)), "");
    EXPECT_NE(refusal(*s, token("u_c", "j3", kNow - kSecond)), "");
  }
}

TEST(Revocations, PurgeForgetsOnlyWhatExpired) {
  RevocationState state;
  state.add(TokenRevocation{"expired", "u_a", kNow});
  state.add(TokenRevocation{"live", "u_a", kNow + 1});
  state.add(UserCutoff{"u_old", kNow, kNow});
  state.add(UserCutoff{"u_live", kNow, kNow + 1});
  state.purge(kNow);
  EXPECT_EQ(state.size(), 2u);
  EXPECT_EQ(refusal(state, token("u_a", "expired", kNow - 10 * kSecond)), "");
  EXPECT_NE(refusal(state, token("u_a", "live", kNow - 10 * kSecond)), "");
  EXPECT_EQ(state.cutoff_of("u_old"), 0);
  EXPECT_EQ(state.cutoff_of("u_live"), kNow);
  state.purge(kNow + 1);
  EXPECT_EQ(state.size(), 0u);
  EXPECT_EQ(refusal(state, token("u_a", "live", kNow - 10 * kSecond)), "");
}

TEST(Revocations, ConcurrentChecksSeeARevocationOnceAdded) {
  RevocationState state;
  std::atomic<bool> added{false}, stop{false};
  std::atomic<int> refused_after_add{0}, passed_after_add{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i)
    readers.emplace_back([&] {
      while (!stop) {
        bool was_added = added.load();
        bool refused = state.check(token("u_a", "j1", kNow)).has_value();
        if (was_added) (refused ? refused_after_add : passed_after_add)++;
      }
    });
  for (int i = 0; i < 1000; ++i)
    state.add(TokenRevocation{"other" + std::to_string(i), "u_x", kNow});
  state.add(TokenRevocation{"j1", "u_a", kNow + 3600 * kSecond});
  added = true;
  while (refused_after_add < 100) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(passed_after_add, 0) << "a check that started after add() let the token pass";
}

}  // namespace
}  // namespace todo::auth
