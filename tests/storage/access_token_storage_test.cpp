// The personal access tokens part of the repository contract (storage/access_token_store.hpp)
// and their check (auth/access_tokens.hpp), on every backend; on PostgreSQL also what another
// process sees: a token revoked through one connection pool is refused by an AccessTokens on
// another (as in another process) within a deadline, with a cache that would otherwise keep
// it for an hour.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "auth/access_token.hpp"
#include "auth/access_tokens.hpp"
#include "storage/access_token_store.hpp"
#include "storage/user_data.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;
using namespace std::chrono_literals;

class AccessTokenStorageTest : public StorageTest {
 protected:
  // A token row of `user` with its secret, created at `created`.
  std::pair<AccessTokenRow, std::string> token(std::string_view user, std::string_view name,
                                               Millis created,
                                               std::optional<Millis> expires = std::nullopt) {
    std::string secret = auth::new_access_token();
    AccessTokenRow row{prefix_ + std::string(name),
                       user_id(user),
                       std::string(name),
                       auth::access_token_hash(secret),
                       auth::access_token_shown_prefix(secret),
                       "tasks:read audit:read",
                       created,
                       std::nullopt,
                       expires,
                       std::nullopt};
    return {row, secret};
  }
  void insert(const AccessTokenRow& row) {
    ASSERT_TRUE(ok(write([&](Tx& tx) { access_tokens(tx).insert(row); })));
  }
  std::vector<std::string> listed(std::string_view user) {
    std::vector<std::string> names;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      for (const auto& t : access_tokens(tx).list(user_id(user))) names.push_back(t.name);
    })));
    return names;
  }
  std::optional<AccessTokenRow> find(const std::string& secret) {
    std::optional<AccessTokenRow> row;
    EXPECT_TRUE(ok(read(
        [&](Tx& tx) { row = access_tokens(tx).find_by_hash(auth::access_token_hash(secret)); })));
    return row;
  }
  bool revoke(std::string_view user, const std::string& id, Millis now) {
    bool revoked = false;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { revoked = access_tokens(tx).revoke(user_id(user), id, now); })));
    return revoked;
  }
};

Result<auth::Principal> verify(auth::AccessTokens& tokens, const std::string& token) {
  // Outlives every database of the tests: the database thread that posts the completion
  // may still be inside post() when run() returns (ThreadSanitizer saw a local io_context
  // destroyed under it): an io_context must outlive the threads that post to it.
  static boost::asio::io_context io;
  io.restart();
  std::optional<Result<auth::Principal>> out;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto r = co_await tokens.verify(token);
        out.emplace(std::move(r));
      },
      boost::asio::detached);
  io.run();
  return std::move(*out);
}

constexpr Millis kNow = 1'769'767'200'000;

TEST_P(AccessTokenStorageTest, FoundByTheHashOfTheSecretOnly) {
  create_user("a");
  auto [row, secret] = token("a", "t", kNow, kNow + 1000);
  insert(row);
  auto found = find(secret);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, row.id);
  EXPECT_EQ(found->user_id, user_id("a"));
  EXPECT_EQ(found->scopes, "tasks:read audit:read");
  EXPECT_EQ(found->prefix, secret.substr(0, 8));
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(found->expires_at, kNow + 1000);
  EXPECT_FALSE(found->last_used_at);
  EXPECT_FALSE(found->revoked_at);
  EXPECT_FALSE(find(auth::new_access_token()));
  EXPECT_FALSE(find(secret.substr(0, 46)));
}

TEST_P(AccessTokenStorageTest, ListIsTheUsersTokensInForceNewestFirstAndCountsActiveOnes) {
  create_user("a");
  create_user("b");
  auto [old_row, s1] = token("a", "old", kNow - 10, kNow - 1);  // expired: listed, not active
  auto [new_row, s2] = token("a", "new", kNow);
  auto [gone_row, s3] = token("a", "gone", kNow - 5);
  auto [b_row, s4] = token("b", "of-b", kNow);
  for (const auto* r : {&old_row, &new_row, &gone_row, &b_row}) insert(*r);
  EXPECT_TRUE(revoke("a", gone_row.id, kNow));
  EXPECT_EQ(listed("a"), (std::vector<std::string>{"new", "old"}));
  EXPECT_EQ(listed("b"), (std::vector<std::string>{"of-b"}));
  int active = -1;
  ASSERT_TRUE(
      ok(read([&](Tx& tx) { active = access_tokens(tx).count_active(user_id("a"), kNow); })));
  EXPECT_EQ(active, 1);
}

TEST_P(AccessTokenStorageTest, RevokeIsOnceAndOnlyForTheOwner) {
  create_user("a");
  create_user("b");
  auto [row, secret] = token("a", "t", kNow);
  insert(row);
  EXPECT_FALSE(revoke("b", row.id, kNow)) << "another user's token";
  EXPECT_FALSE(find(secret)->revoked_at);
  EXPECT_TRUE(revoke("a", row.id, kNow + 1));
  EXPECT_FALSE(revoke("a", row.id, kNow + 2)) << "revoked already";
  EXPECT_EQ(find(secret)->revoked_at, kNow + 1);
}

TEST_P(AccessTokenStorageTest, TouchOnlyMovesLastUseForward) {
  create_user("a");
  auto [row, secret] = token("a", "t", kNow);
  insert(row);
  ASSERT_TRUE(ok(write([&](Tx& tx) { access_tokens(tx).touch(row.id, kNow + 100); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { access_tokens(tx).touch(row.id, kNow + 50); })));
  EXPECT_EQ(find(secret)->last_used_at, kNow + 100);
}

TEST_P(AccessTokenStorageTest, ATokenOfAMissingUserIsAMissingReferenceAndDeletionRemovesThem) {
  bool missing_reference = false;
  auto [orphan, s0] = token("nobody", "t", kNow);
  Status s = write([&](Tx& tx) {
    try {
      access_tokens(tx).insert(orphan);
    } catch (const DbError& e) {
      missing_reference = e.missing_reference;
      throw;
    }
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(missing_reference);

  create_user("a");
  auto [row, secret] = token("a", "t", kNow);
  insert(row);
  ASSERT_TRUE(ok(write([&](Tx& tx) { erase_user_data(tx, user_id("a")); })));
  EXPECT_FALSE(find(secret));
}

TEST_P(AccessTokenStorageTest, VerifyGivesThePrincipalOrTheReasonForRefusal) {
  create_user("a");
  ops::Metrics metrics;
  auth::AccessTokens tokens(*db_, metrics, {"", 1h});
  const Millis now = now_millis();
  auto [row, secret] = token("a", "ok", now);
  auto [expired_row, expired] = token("a", "expired", now - 2000, now - 1000);
  insert(row);
  insert(expired_row);

  auto p = verify(tokens, secret);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->user_id, user_id("a"));
  EXPECT_EQ(p->access_token_id, row.id);
  EXPECT_TRUE(p->may(auth::Scope::tasks_read));
  EXPECT_TRUE(p->may(auth::Scope::audit_read));
  EXPECT_FALSE(p->may(auth::Scope::tasks_write));

  auto e = verify(tokens, expired);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::unauthorized);
  EXPECT_EQ(e.error().challenge, "Bearer error=\"invalid_token\"");
  EXPECT_NE(e.error().detail.find("expired"), std::string::npos);
  EXPECT_FALSE(verify(tokens, auth::new_access_token()).ok());
  EXPECT_FALSE(verify(tokens, "tdp_short").ok());

  // Cached for an hour, but a revocation in this process is refused at once.
  EXPECT_TRUE(revoke("a", row.id, now));
  tokens.forget(row.id);
  auto r = verify(tokens, secret);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("revoked"), std::string::npos);
  EXPECT_NE(metrics.render().find("todo_token_auth_total{outcome=\"revoked\"} 1"),
            std::string::npos);
  tokens.stop();
}

class AccessTokenNotifyTest : public AccessTokenStorageTest {};

TEST_P(AccessTokenNotifyTest, AnotherProcessRefusesARevokedTokenWithinADeadline) {
  create_user("a");
  auto [row, secret] = token("a", "t", now_millis());
  insert(row);
  // "Another process": its own connection pool and checker on the same database, with a
  // cache that keeps a token for an hour: only the notification can end it sooner.
  auto other_db = open();
  ops::Metrics metrics;
  auth::AccessTokens other(*other_db, metrics, {GetParam().url, 1h});
  other.start();
  // Its listener's first connect drops the cache: cache the token only after it.
  auto listening_by = std::chrono::steady_clock::now() + 30s;
  while (!other.listening() && std::chrono::steady_clock::now() < listening_by)
    std::this_thread::sleep_for(10ms);  // polling a condition, with a deadline
  ASSERT_TRUE(other.listening());
  ASSERT_TRUE(verify(other, secret).ok()) << "in force, and now cached";
  EXPECT_TRUE(revoke("a", row.id, now_millis()));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (verify(other, secret).ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);  // polling a condition, with a deadline
  EXPECT_FALSE(verify(other, secret).ok()) << "the other process never learned the revocation";
  other.stop();
  other_db->stop();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AccessTokenStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, AccessTokenStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, AccessTokenNotifyTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AccessTokenNotifyTest);

}  // namespace
}  // namespace todo::storage
