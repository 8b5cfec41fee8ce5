// The webhooks part of the repository contract (storage/webhook_store.hpp) on every backend:
// endpoints per user, one delivery per (endpoint, event), the worker's lease (a claimed row is
// not claimed again until its lease ran out), attempts recorded, abandoned deliveries keeping
// their last status, the failure run reset by one write, the log's paging, and account
// deletion taking endpoints and deliveries along. Times are far in the past (kT), where no
// real row is: claim_due is not scoped by user, and the PostgreSQL database is shared.
#include "core/time.hpp"
#include "storage/user_data.hpp"
#include "storage/webhook_store.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// "Now" of this test: far below any real row, and lower by 4 000 000 for each ms of real time,
// so that the rows an earlier run left on the shared PostgreSQL database are never due at the
// times this run claims (at most kT + 2 000 000).
const Millis kT = -now_millis() * 4'000'000;

class WebhookStorageTest : public StorageTest {
 protected:
  std::int64_t add_hook(std::string_view user, bool enabled = true) {
    std::int64_t id = 0;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      Webhook w;
      w.user_id = user_id(user);
      w.url = "https://example.com/" + std::string(user);
      w.event_types = R"(["task.created"])";
      w.secret = "whsec_dGVzdA==";
      w.enabled = enabled;
      w.created_at = w.updated_at = kT;
      id = webhooks(tx).insert(w);
    })));
    return id;
  }
  std::optional<std::int64_t> add_delivery(std::int64_t hook, std::string_view user,
                                           const std::string& event, Millis due) {
    std::optional<std::int64_t> id;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      WebhookDelivery d;
      d.webhook_id = hook;
      d.user_id = user_id(user);
      d.event_id = prefix_ + event;
      d.msg_id = "msg_" + prefix_ + event;
      d.event_type = "task.created";
      d.payload = R"({"type":"task.created"})";
      d.next_attempt_at = due;
      d.created_at = kT;
      id = webhooks(tx).add_delivery(d);
    })));
    return id;
  }
  std::vector<WebhookDelivery> claim(Millis now, Millis lease_until) {
    std::vector<WebhookDelivery> out;
    EXPECT_TRUE(ok(write([&](Tx& tx) { out = webhooks(tx).claim_due(now, lease_until, 100); })));
    // Only this test's rows: on PostgreSQL the other tests of this run share the database.
    std::erase_if(out, [&](const WebhookDelivery& d) { return !d.user_id.starts_with(prefix_); });
    return out;
  }
  DeliveryPage log(std::string_view user, std::int64_t hook, std::optional<std::int64_t> before,
                   int limit) {
    DeliveryPage page;
    EXPECT_TRUE(ok(
        read([&](Tx& tx) { page = webhooks(tx).deliveries(user_id(user), hook, before, limit); })));
    return page;
  }
};

TEST_P(WebhookStorageTest, EndpointsBelongToTheirUser) {
  create_user("a");
  create_user("b");
  auto a1 = add_hook("a");
  add_hook("a", false);
  add_hook("b");
  EXPECT_TRUE(ok(read([&](Tx& tx) {
    auto& store = webhooks(tx);
    EXPECT_EQ(store.list(user_id("a")).size(), 2u);
    EXPECT_EQ(store.count(user_id("a")), 2);
    EXPECT_EQ(store.enabled_for(user_id("a")).size(), 1u);
    EXPECT_TRUE(store.find(user_id("a"), a1));
    EXPECT_FALSE(store.find(user_id("b"), a1));  // another user's endpoint is not there
  })));
  EXPECT_TRUE(ok(write([&](Tx& tx) { EXPECT_FALSE(webhooks(tx).remove(user_id("b"), a1)); })));
}

TEST_P(WebhookStorageTest, OneDeliveryPerEndpointAndEventAndTheLeaseHoldsIt) {
  create_user("a");
  auto hook = add_hook("a");
  auto first = add_delivery(hook, "a", "e1", kT);
  ASSERT_TRUE(first);
  EXPECT_FALSE(add_delivery(hook, "a", "e1", kT));  // the same event again: nothing new
  add_delivery(hook, "a", "e2", kT + 10'000);       // not due yet

  auto claimed = claim(kT, kT + 40'000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, *first);
  EXPECT_EQ(claimed[0].payload, R"({"type":"task.created"})");
  EXPECT_EQ(claimed[0].msg_id, "msg_" + prefix_ + "e1");
  EXPECT_TRUE(claim(kT + 1, kT + 40'000).empty());  // leased: not claimed twice
  // At kT + 10 s the second is due, the first still leased.
  auto later = claim(kT + 10'000, kT + 50'000);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].event_id, prefix_ + "e2");

  // A retry: pending again, due at its next attempt, with this attempt's result.
  EXPECT_TRUE(ok(write([&](Tx& tx) {
    AttemptResult r{*first, DeliveryState::pending, 503, std::string("HTTP 503"), 12, kT + 5'000};
    webhooks(tx).finish(r, kT);
  })));
  auto again = claim(kT + 5'000, kT + 45'000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 1);
  EXPECT_EQ(again[0].last_status, 503);
  EXPECT_TRUE(ok(write([&](Tx& tx) {
    AttemptResult r{*first, DeliveryState::succeeded, 200, std::nullopt, 3, std::nullopt};
    webhooks(tx).finish(r, kT + 5'000);
  })));
  EXPECT_TRUE(claim(kT + 100'000, kT + 140'000).size() == 1u);  // only e2 (lease ran out)
  EXPECT_TRUE(ok(read([&](Tx& tx) { EXPECT_EQ(webhooks(tx).next_due(), kT + 140'000); })));
}

TEST_P(WebhookStorageTest, AbandonKeepsTheLastStatusAndTheLogPagesNewestFirst) {
  create_user("a");
  auto hook = add_hook("a");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(*add_delivery(hook, "a", "e" + std::to_string(i), kT));
  EXPECT_TRUE(ok(write([&](Tx& tx) {
    AttemptResult r{ids[0], DeliveryState::pending, 500, std::string("HTTP 500"), 7, kT + 1};
    webhooks(tx).finish(r, kT);
    webhooks(tx).abandon(ids[0], "endpoint disabled before the attempt", kT);
  })));
  auto page = log("a", hook, std::nullopt, 2);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, ids[4]);
  EXPECT_EQ(page.items[1].id, ids[3]);
  ASSERT_TRUE(page.next_before_id);
  auto rest = log("a", hook, page.next_before_id, 10);
  ASSERT_EQ(rest.items.size(), 3u);
  EXPECT_FALSE(rest.next_before_id);
  const auto& abandoned = rest.items.back();
  EXPECT_EQ(abandoned.id, ids[0]);
  EXPECT_EQ(abandoned.state, DeliveryState::failed);
  EXPECT_EQ(abandoned.attempt, 1);
  EXPECT_EQ(abandoned.last_status, 500);
  EXPECT_EQ(abandoned.last_error, "endpoint disabled before the attempt");
  EXPECT_FALSE(abandoned.next_attempt_at);
  EXPECT_TRUE(log("b", hook, std::nullopt, 10).items.empty());  // another user sees nothing
}

TEST_P(WebhookStorageTest, FailureRunResetAndAccountDeletion) {
  create_user("a");
  auto hook = add_hook("a");
  add_delivery(hook, "a", "e1", kT);
  EXPECT_TRUE(ok(write([&](Tx& tx) {
    auto w = *webhooks(tx).find_any(hook);
    w.consecutive_failures = 4;
    EXPECT_TRUE(webhooks(tx).update(w));
    webhooks(tx).reset_failures(hook, kT + 1);
    EXPECT_EQ(webhooks(tx).find_any(hook)->consecutive_failures, 0);
  })));
  EXPECT_TRUE(ok(write([&](Tx& tx) { EXPECT_TRUE(erase_user_data(tx, user_id("a"))); })));
  EXPECT_TRUE(ok(read([&](Tx& tx) {
    EXPECT_FALSE(webhooks(tx).find_any(hook));
    EXPECT_TRUE(webhooks(tx).deliveries(user_id("a"), hook, std::nullopt, 10).items.empty());
  })));
  EXPECT_TRUE(claim(kT + 1'000'000, kT + 2'000'000).empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, WebhookStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, WebhookStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
