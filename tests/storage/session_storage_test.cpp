// The sessions part of the repository contract (storage/session_store.hpp) and account
// deletion through every feature store (storage/user_data.hpp), on every backend; on
// PostgreSQL also what other processes see: the NOTIFY of a revocation arrives after its
// commit (never after a rollback), and a RevocationService on another connection pool (as in
// another process) refuses a token revoked through the first one within a deadline.
#include <set>

#include "auth/revocation_service.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/outbox_store.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/session_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/user_data.hpp"
#include "storage_fixture.hpp"
#include "tasks/task_service.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// purge is not scoped by user: its test works far in the past, where no real row is, so
// that on the shared PostgreSQL database it touches only rows it wrote.
constexpr Millis kLongAgo = -7'000'000'000'000'000;
constexpr Millis kNow = 1'769'767'200'000;

class SessionStorageTest : public StorageTest {
 protected:
  std::string id(std::string_view name) const { return prefix_ + std::string(name); }
  RevocationSet in_force(Millis now) {
    RevocationSet set;
    EXPECT_TRUE(ok(read([&](Tx& tx) { set = sessions(tx).in_force(now); })));
    return set;
  }
  RevocationSet in_force_for(std::string_view user, Millis now) {
    RevocationSet set;
    EXPECT_TRUE(ok(read([&](Tx& tx) { set = sessions(tx).in_force_for(user_id(user), now); })));
    return set;
  }
  // Only this test's rows (the PostgreSQL database is shared).
  std::set<std::string> mine(const RevocationSet& set) const {
    std::set<std::string> out;
    for (const auto& t : set.tokens)
      if (t.token_id.starts_with(prefix_)) out.insert("token " + t.token_id.substr(prefix_.size()));
    for (const auto& c : set.cutoffs)
      if (c.user_id.starts_with(prefix_))
        out.insert("cutoff " + c.user_id.substr(prefix_.size()) + "@" + std::to_string(c.cutoff));
    return out;
  }
  std::vector<std::string> live(std::string_view user, Millis now) {
    std::vector<std::string> ids;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      for (const auto& s : sessions(tx).live(user_id(user), now))
        ids.push_back(s.token_id.substr(prefix_.size()));
    })));
    return ids;
  }
  std::int64_t count(const std::string& sql_sqlite, const std::string& sql_pg,
                     const std::string& param) {
    std::int64_t n = -1;
    EXPECT_TRUE(ok(read([&](Tx& tx) {
      if (tx.sqlite()) {
        auto s = tx.sqlite()->prepare(sql_sqlite);
        s.bind(1, param);
        n = s.step() ? s.int64(0) : -1;
      } else {
        n = tx.postgres()->exec(sql_pg, postgres::Params().add(param)).int64(0, 0);
      }
    })));
    return n;
  }
};

TEST_P(SessionStorageTest, LiveSessionsAreTheUsersUnexpiredOnesOldestFirst) {
  create_user("a");
  create_user("b");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).insert({id("s2"), user_id("a"), kNow + 2, kNow + 100});
    sessions(tx).insert({id("s1"), user_id("a"), kNow + 1, kNow + 100});
    sessions(tx).insert({id("expired"), user_id("a"), kNow - 100, kNow});
    sessions(tx).insert({id("of-b"), user_id("b"), kNow, kNow + 100});
  })));
  EXPECT_EQ(live("a", kNow), (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(live("b", kNow), (std::vector<std::string>{"of-b"}));
  EXPECT_TRUE(live("a", kNow + 100).empty());
}

TEST_P(SessionStorageTest, ASessionOfAMissingUserIsAMissingReference) {
  bool missing_reference = false;
  Status s = write([&](Tx& tx) {
    try {
      sessions(tx).insert({id("s"), user_id("nobody"), kNow, kNow + 100});
    } catch (const DbError& e) {
      missing_reference = e.missing_reference;
      throw;
    }
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(missing_reference);
}

TEST_P(SessionStorageTest, RevocationsAreInForceUntilTheyExpire) {
  create_user("a");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).insert({id("s1"), user_id("a"), kNow, kNow + 100});
    sessions(tx).revoke({id("s1"), user_id("a"), kNow + 100});
    sessions(tx).revoke({id("s1"), user_id("a"), kNow + 50});  // idempotent; keeps the later
    sessions(tx).revoke({id("no-record"), user_id("a"), kNow + 10});
    sessions(tx).cut_off({user_id("a"), kNow, kNow + 200});
  })));
  EXPECT_TRUE(live("a", kNow).empty()) << "a revoked session is no longer live";
  const std::set<std::string> all{"token s1", "token no-record",
                                  "cutoff a@" + std::to_string(kNow)};
  EXPECT_EQ(mine(in_force(kNow)), all);
  EXPECT_EQ(mine(in_force_for("a", kNow)), all);
  EXPECT_TRUE(mine(in_force_for("b", kNow)).empty());
  EXPECT_EQ(mine(in_force(kNow + 10)),
            (std::set<std::string>{"token s1", "cutoff a@" + std::to_string(kNow)}));
  EXPECT_EQ(mine(in_force(kNow + 100)),
            (std::set<std::string>{"cutoff a@" + std::to_string(kNow)}));
  EXPECT_TRUE(mine(in_force(kNow + 200)).empty());
}

TEST_P(SessionStorageTest, ALaterCutoffWinsAndAnEarlierOneChangesNothing) {
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).cut_off({user_id("a"), kNow, kNow + 100});
    sessions(tx).cut_off({user_id("a"), kNow - 50, kNow + 300});
  })));
  auto set = in_force_for("a", kNow);
  ASSERT_EQ(set.cutoffs.size(), 1u);
  EXPECT_EQ(set.cutoffs[0].cutoff, kNow);
  EXPECT_EQ(set.cutoffs[0].expires_at, kNow + 300);
  ASSERT_TRUE(ok(write([&](Tx& tx) { sessions(tx).cut_off({user_id("a"), kNow + 5, kNow}); })));
  EXPECT_EQ(in_force_for("a", kNow).cutoffs.at(0).cutoff, kNow + 5);
}

TEST_P(SessionStorageTest, PurgeRemovesOnlyExpiredRowsInBoundedBatches) {
  create_user("a");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    for (int i = 0; i < 3; ++i) {
      sessions(tx).insert({id("s" + std::to_string(i)), user_id("a"), kLongAgo, kLongAgo + i});
      sessions(tx).revoke({id("r" + std::to_string(i)), user_id("a"), kLongAgo + i});
      sessions(tx).cut_off({user_id("c" + std::to_string(i)), kLongAgo, kLongAgo + i});
    }
  })));
  int removed = 0;
  ASSERT_TRUE(ok(write([&](Tx& tx) { removed = sessions(tx).purge(kLongAgo + 1, 1); })));
  EXPECT_EQ(removed, 3) << "one row per table: the batch bound";
  ASSERT_TRUE(ok(write([&](Tx& tx) { removed = sessions(tx).purge(kLongAgo + 1, 100); })));
  EXPECT_EQ(removed, 3) << "the rows expiring at +1; those at +2 stay";
  EXPECT_EQ(mine(in_force(kLongAgo)),
            (std::set<std::string>{"token r2", "cutoff c2@" + std::to_string(kLongAgo)}));
  EXPECT_EQ(live("a", kLongAgo), (std::vector<std::string>{"s2"}));
  ASSERT_TRUE(ok(write([&](Tx& tx) { removed = sessions(tx).purge(kLongAgo + 2, 100); })));
  EXPECT_EQ(removed, 3);
}

TEST_P(SessionStorageTest, PasswordChangesOnlyFromTheExpectedHash) {
  create_user("a");
  bool changed = false;
  std::optional<std::string> hash;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    changed = users(tx).change_password(user_id("a"), "not-the-hash", "new");
    hash = users(tx).lock_password_hash(user_id("a"));
  })));
  EXPECT_FALSE(changed);
  EXPECT_EQ(hash, "hash");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    changed = users(tx).change_password(user_id("a"), "hash", "new");
    hash = users(tx).lock_for_delete(user_id("a"));
  })));
  EXPECT_TRUE(changed);
  EXPECT_EQ(hash, "new");
  ASSERT_TRUE(ok(write([&](Tx& tx) { hash = users(tx).lock_password_hash(user_id("nobody")); })));
  EXPECT_EQ(hash, std::nullopt);
}

TEST_P(SessionStorageTest, DeletingAnAccountRemovesItsRowsAndKeepsEventsAndRevocations) {
  create_user("gone");
  create_user("kept");
  TaskFields fields;
  fields.title = "with tags";
  fields.tags = {"home", "work"};
  auto gone_tasks = insert_all("gone", {fields, fields}, {1, 2});
  auto kept_tasks = insert_all("kept", {fields}, {1});
  const std::string event_id = id("event");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    for (const char* user : {"gone", "kept"}) {
      idempotency_keys(tx).save(user_id(user), "key", {"fp", 201, "{}"}, kNow);
      sessions(tx).insert({id(std::string("s-") + user), user_id(user), kNow, kNow + 100});
    }
    // An event committed before the deletion, not yet relayed, and one already audited.
    outbox(tx).insert({0, event_id, user_id("gone"), "task-events", "{}", kNow}, 1);
    audit_log(tx).insert({0, event_id, "created", user_id("gone"), gone_tasks[0], "{}", kNow});
  })));

  bool erased = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    ASSERT_TRUE(users(tx).lock_for_delete(user_id("gone")));
    sessions(tx).cut_off({user_id("gone"), kAccountDeleted, kNow + 100});
    erased = erase_user_data(tx, user_id("gone"));
  })));
  EXPECT_TRUE(erased);

  EXPECT_TRUE(all_tasks("gone").empty());
  EXPECT_EQ(all_tasks("kept"), kept_tasks);
  EXPECT_EQ(count("SELECT COUNT(*) FROM task_tags WHERE user_id = ?",
                  "SELECT COUNT(*) FROM tasks WHERE user_id = $1", user_id("gone")),
            0);
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    EXPECT_FALSE(idempotency_keys(tx).find(user_id("gone"), "key"));
    EXPECT_TRUE(idempotency_keys(tx).find(user_id("kept"), "key"));
    EXPECT_FALSE(users(tx).find_by_id(user_id("gone")));
    EXPECT_TRUE(users(tx).find_by_id(user_id("kept")));
  })));
  EXPECT_TRUE(live("gone", kNow).empty());
  EXPECT_EQ(live("kept", kNow), (std::vector<std::string>{"s-kept"}));
  // Kept: the pending event (it still reaches the audit trail), the audit row (until
  // retention), and the cutoff that makes every process refuse the account's tokens.
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE event_id = ?",
                  "SELECT COUNT(*) FROM outbox WHERE event_id = $1", event_id),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE event_id = ?",
                  "SELECT COUNT(*) FROM audit_log WHERE event_id = $1", event_id),
            1);
  EXPECT_EQ(in_force_for("gone", kNow).cutoffs.at(0).cutoff, kAccountDeleted);
  // Deleting again finds nothing.
  ASSERT_TRUE(ok(write([&](Tx& tx) { erased = erase_user_data(tx, user_id("gone")); })));
  EXPECT_FALSE(erased);
}

TEST_P(SessionStorageTest, ATaskCreatedForADeletedAccountIsA401NotA500EvenInABatch) {
  create_user("gone");
  create_user("other");
  ASSERT_TRUE(ok(write([&](Tx& tx) { erase_user_data(tx, user_id("gone")); })));
  TaskFields fields;
  fields.title = "after the deletion";
  // The request of the deleted account shares a group-committed batch with another one: only
  // it fails, with the deleted account's 401.
  WriterGate gate;
  gate.hold(*db_, writers());
  Completions done(2);
  std::optional<Result<CreateOutcome>> gone_result, other_result;
  db_->write([&](Tx& tx) { gone_result = create_task(tx, user_id("gone"), fields, {}, kNow, 0); },
             done.done(0));
  db_->write([&](Tx& tx) { other_result = create_task(tx, user_id("other"), fields, {}, kNow, 0); },
             done.done(1));
  gate.open();
  ASSERT_TRUE(done.wait(60s));
  ASSERT_FALSE(done[0].ok());
  EXPECT_EQ(done[0].error().kind, ErrorKind::unauthorized);
  EXPECT_EQ(done[0].error().detail, "the account no longer exists");
  EXPECT_TRUE(ok(done[1]));
  EXPECT_EQ(all_tasks("other").size(), 1u);
  EXPECT_TRUE(all_tasks("gone").empty());
}

// --- across processes: PostgreSQL only -------------------------------------------------

class SessionNotifyTest : public SessionStorageTest {};

TEST_P(SessionNotifyTest, ARevocationIsAnnouncedAfterItsCommitAndNeverAfterARollback) {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<std::string>> heard;
  auto listener = listen_postgres_payloads(GetParam().url, kSessionsChannel,
                                           [&](const std::optional<std::string>& payload) {
                                             std::lock_guard lock(mutex);
                                             heard.push_back(payload);
                                             changed.notify_all();
                                           });
  auto wait_for = [&](auto predicate) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 30s, [&] { return predicate(heard); });
  };
  ASSERT_TRUE(wait_for([](auto& h) { return !h.empty(); })) << "LISTEN never connected";
  EXPECT_EQ(heard.front(), std::nullopt) << "after connecting: read everything";

  // Rolled back: never announced. Then a committed one: notifications come in commit order,
  // so once it arrived, the rolled-back one would have too.
  Status rolled_back = write([&](Tx& tx) {
    sessions(tx).revoke({id("t1"), user_id("rolled-back"), kNow + 100});
    throw DbError("roll back on purpose");
  });
  EXPECT_FALSE(rolled_back.ok());
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).revoke({id("t2"), user_id("committed"), kNow + 100});
    sessions(tx).cut_off({user_id("committed"), kNow, kNow + 100});  // folded into one
  })));
  ASSERT_TRUE(wait_for([&](auto& h) {
    return std::find(h.begin(), h.end(), std::optional<std::string>(user_id("committed"))) !=
           h.end();
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(
      std::count(heard.begin(), heard.end(), std::optional<std::string>(user_id("committed"))), 1);
  EXPECT_EQ(
      std::count(heard.begin(), heard.end(), std::optional<std::string>(user_id("rolled-back"))),
      0);
}

TEST_P(SessionNotifyTest, AnotherProcessRefusesARevokedTokenWithinADeadline) {
  // "Another process": its own connection pool, state and service on the same database.
  auto other_db = open();
  auth::RevocationState other_state;
  auth::RevocationService service(*other_db, other_state, {GetParam().url, 3600s});
  service.load();
  service.start();
  JwtClaims claims;
  claims.subject = user_id("a");
  claims.token_id = id("jti");
  claims.issued_at = now_millis() - 1000;
  claims.expires_at = now_millis() + 3'600'000;
  ASSERT_FALSE(other_state.check(claims)) << "not revoked yet";
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).revoke({claims.token_id, claims.subject, claims.expires_at});
  })));
  // The resync interval is an hour: only the notification can bring it within the deadline.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!other_state.check(claims) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);  // polling a condition, with a deadline
  EXPECT_TRUE(other_state.check(claims)) << "the other process never learned the revocation";
  service.stop();
  other_db->stop();
}

TEST_P(SessionStorageTest, AServiceStartsWithEveryRevocationInForce) {
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    sessions(tx).revoke({id("jti"), user_id("a"), now_millis() + 3'600'000});
    sessions(tx).cut_off({user_id("b"), kAccountDeleted, now_millis() + 3'600'000});
  })));
  auth::RevocationState state;
  auth::RevocationService service(*db_, state, {"", 3600s});
  service.load();
  JwtClaims a;
  a.subject = user_id("a");
  a.token_id = id("jti");
  JwtClaims b;
  b.subject = user_id("b");
  b.token_id = id("other");
  EXPECT_TRUE(state.check(a));
  EXPECT_TRUE(state.check(b));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SessionStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, SessionStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, SessionNotifyTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SessionNotifyTest);

}  // namespace
}  // namespace todo::storage
