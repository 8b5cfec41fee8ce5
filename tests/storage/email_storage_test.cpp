// The e-mail part of the repository contract (storage/preference_store.hpp,
// storage/email_store.hpp) on every backend: preferences saved and read back, the one-click
// unsubscribe (with and without a saved row, for an unknown user), one row per source_key,
// claims that take a due row once (its lease keeps it from the next claim, also from a
// concurrent one on PostgreSQL), retries, and account deletion.
#include <set>
#include <thread>

#include "storage/email_store.hpp"
#include "storage/preference_store.hpp"
#include "storage/user_data.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// Rows of this suite are due in the far past, where no real row is: on the shared PostgreSQL
// database a claim at "now" = kPast + n takes only what this test wrote (real rows are due
// after these; this suite's own are removed after each test).
constexpr Millis kPast = -8'000'000'000'000'000;

class EmailStorageTest : public StorageTest {
 protected:
  // Every row of this suite belongs to "ada": removed after each test, so that no claim of a
  // later test (or run, on the shared database) finds rows due in its past.
  void TearDown() override {
    if (db_) EXPECT_TRUE(ok(write([&](Tx& tx) { email_outbox(tx).remove_user(user_id("ada")); })));
    StorageTest::TearDown();
  }
  OutgoingEmail email(std::string_view user, std::string key, Millis due) {
    OutgoingEmail e;
    e.source_key = prefix_ + key;
    e.user_id = user_id(user);
    e.kind = "reminder";
    e.task_id = 7;
    e.recipient = this->StorageTest::email(user);
    e.headers = "Subject: s\r\nMessage-ID: <" + key + "@x>";
    e.text_body = "text";
    e.html_body = "<p>html</p>";
    e.next_attempt_at = due;
    e.created_at = due;
    return e;
  }
  bool enqueue(const OutgoingEmail& e) {
    bool added = false;
    EXPECT_TRUE(ok(write([&](Tx& tx) { added = email_outbox(tx).enqueue(e); })));
    return added;
  }
  // The source keys (without the prefix) of a claim at `now`, only this test's rows.
  std::vector<std::string> claim(Millis now, Millis lease_until, int limit = 10) {
    std::vector<OutgoingEmail> rows;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { rows = email_outbox(tx).claim_due(now, lease_until, limit); })));
    std::vector<std::string> keys;
    for (const auto& r : rows) {
      EXPECT_TRUE(r.source_key.starts_with(prefix_))
          << "claimed another test's row " << r.source_key;
      keys.push_back(r.source_key.substr(prefix_.size()) + "#" + std::to_string(r.attempts));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  std::optional<Preferences> prefs(std::string_view user) {
    std::optional<Preferences> p;
    EXPECT_TRUE(ok(read([&](Tx& tx) { p = preferences(tx).find(user_id(user)); })));
    return p;
  }
};

TEST_P(EmailStorageTest, PreferencesAreSavedAndReadBack) {
  create_user("ada");
  EXPECT_FALSE(prefs("ada")) << "no row: the caller uses the defaults";
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    preferences(tx).put({user_id("ada"), false, true, "Europe/Berlin", 1000});
  })));
  auto p = prefs("ada");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->email_reminders);
  EXPECT_TRUE(p->completion_notices);
  EXPECT_EQ(p->timezone, "Europe/Berlin");
  EXPECT_EQ(p->updated_at, 1000);
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    preferences(tx).put({user_id("ada"), true, false, "UTC", 2000});
  })));
  EXPECT_TRUE(prefs("ada")->email_reminders);
  EXPECT_EQ(prefs("ada")->timezone, "UTC");
}

TEST_P(EmailStorageTest, UnsubscribeTurnsRemindersOffKeepingTheRest) {
  create_user("ada");
  create_user("bob");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    preferences(tx).put({user_id("ada"), true, true, "Asia/Tokyo", 1000});
  })));
  bool ada = false, bob = false, nobody = true;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    ada = preferences(tx).unsubscribe_reminders(user_id("ada"), 5000);
    bob = preferences(tx).unsubscribe_reminders(user_id("bob"), 5000);
    nobody = preferences(tx).unsubscribe_reminders(user_id("nobody"), 5000);
  })));
  EXPECT_TRUE(ada);
  EXPECT_TRUE(bob) << "a user without saved preferences gets a row";
  EXPECT_FALSE(nobody) << "no such user: nothing written";
  EXPECT_FALSE(prefs("ada")->email_reminders);
  EXPECT_TRUE(prefs("ada")->completion_notices);
  EXPECT_EQ(prefs("ada")->timezone, "Asia/Tokyo");
  EXPECT_FALSE(prefs("bob")->email_reminders);
  EXPECT_FALSE(prefs("bob")->completion_notices) << "the other defaults";
  EXPECT_EQ(prefs("bob")->timezone, "UTC");
  EXPECT_FALSE(prefs("nobody"));
}

TEST_P(EmailStorageTest, OneRowPerSourceKey) {
  EXPECT_TRUE(enqueue(email("ada", "reminder:e1", kPast)));
  EXPECT_FALSE(enqueue(email("ada", "reminder:e1", kPast + 5))) << "the same event again";
  EXPECT_EQ(claim(kPast + 10, kPast + 1000), std::vector<std::string>{"reminder:e1#1"});
}

TEST_P(EmailStorageTest, AClaimTakesDueRowsOnceUntilTheLeaseEnds) {
  enqueue(email("ada", "a", kPast));
  enqueue(email("ada", "b", kPast + 1));
  enqueue(email("ada", "later", kPast + 500));
  EXPECT_EQ(claim(kPast + 10, kPast + 100), (std::vector<std::string>{"a#1", "b#1"}));
  EXPECT_EQ(claim(kPast + 20, kPast + 100), std::vector<std::string>{}) << "leased";
  // The lease ended (the sender died mid-send): due again, the claim counts a second try.
  EXPECT_EQ(claim(kPast + 100, kPast + 10'000, 1), std::vector<std::string>{"a#2"});
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto& outbox = email_outbox(tx);
    for (const auto& r : outbox.claim_due(kPast + 150, kPast + 10'000, 10)) {
      if (r.source_key == prefix_ + "b") outbox.retry_at(r.id, kPast + 300, "451 later");
    }
  })));
  EXPECT_EQ(claim(kPast + 299, kPast + 10'000), std::vector<std::string>{});
  EXPECT_EQ(claim(kPast + 600, kPast + 10'000), (std::vector<std::string>{"b#3", "later#1"}));
}

TEST_P(EmailStorageTest, SentAndFailedRowsAreNoLongerDue) {
  enqueue(email("ada", "sent", kPast));
  enqueue(email("ada", "failed", kPast));
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto& outbox = email_outbox(tx);
    for (const auto& r : outbox.claim_due(kPast + 1, kPast + 2, 10)) {
      if (r.source_key == prefix_ + "sent") outbox.mark_sent(r.id, kPast + 1);
      if (r.source_key == prefix_ + "failed")
        outbox.mark_failed(r.id, kPast + 1, "550 no such user");
    }
  })));
  EXPECT_EQ(claim(kPast + 1'000'000, kPast + 2'000'000), std::vector<std::string>{});
}

// PostgreSQL only: SQLite has one writer, so claims cannot overlap there.
class EmailClaimsTest : public EmailStorageTest {};

TEST_P(EmailClaimsTest, ConcurrentClaimsNeverTakeARowTwice) {
  for (int i = 0; i < 40; ++i) enqueue(email("ada", "r" + std::to_string(i), kPast + i));
  std::vector<std::string> first, second;
  std::thread a([&] { first = claim(kPast + 100, kPast + 10'000, 25); });
  std::thread b([&] { second = claim(kPast + 100, kPast + 10'000, 25); });
  a.join();
  b.join();
  std::set<std::string> all(first.begin(), first.end());
  for (const auto& k : second) EXPECT_TRUE(all.insert(k).second) << k << " claimed twice";
  EXPECT_EQ(all.size(), 40u) << "SKIP LOCKED: the second claim takes the rows the first left";
}

TEST_P(EmailStorageTest, AccountDeletionRemovesPreferencesAndEmails) {
  create_user("ada");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    preferences(tx).put({user_id("ada"), true, true, "UTC", 1});
  })));
  enqueue(email("ada", "x", kPast));
  bool erased = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) { erased = erase_user_data(tx, user_id("ada")); })));
  EXPECT_TRUE(erased);
  EXPECT_FALSE(prefs("ada"));
  EXPECT_EQ(claim(kPast + 10, kPast + 20), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Sqlite, EmailStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, EmailStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
// Without PostgreSQL (a run outside scripts/with-postgres.sh) it has no instance.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EmailClaimsTest);
INSTANTIATE_TEST_SUITE_P(Postgres, EmailClaimsTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
