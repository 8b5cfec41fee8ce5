// Where a new SSE connection starts (stream/resume.hpp): the Last-Event-ID a client sends
// and the state of its user's log decide between live, replay and reset.
#include <gtest/gtest.h>

#include "stream/resume.hpp"

namespace todo::stream {
namespace {

storage::StreamPosition at(std::int64_t last, std::optional<std::int64_t> oldest,
                           std::int64_t floor = 0) {
  return {last, oldest, floor};
}

TEST(ResumePlan, AnIdBelowTheFloorResetsEvenWhenItsSuccessorsAreRetained) {
  // The user stopped listening after seq 20 (its task events were no longer appended) and
  // listened again at 21: rows 21.. are complete, a position before 21 may lack events.
  auto p = plan_resume(20, at(42, 10, 21));
  EXPECT_TRUE(p.reset);
  EXPECT_EQ(p.start, 42);
  p = plan_resume(21, at(42, 10, 21));  // a stream opened at the floor resumes
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 21);
  p = plan_resume(30, at(42, 10, 21));
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 30);
}

TEST(ResumePlan, WithoutAnIdStartsLiveAtTheEnd) {
  auto p = plan_resume(std::nullopt, at(42, 30));
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 42);
}

TEST(ResumePlan, AnIdWhoseSuccessorsAreRetainedReplaysFromIt) {
  auto p = plan_resume(35, at(42, 30));
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 35);
  // The oldest retained row is exactly the next one: nothing was lost.
  p = plan_resume(29, at(42, 30));
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 29);
}

TEST(ResumePlan, AnIdAtTheEndIsLiveEvenWhenEverythingWasPruned) {
  auto p = plan_resume(42, at(42, std::nullopt));
  EXPECT_FALSE(p.reset);
  EXPECT_EQ(p.start, 42);
}

TEST(ResumePlan, AnIdOlderThanTheRetainedRowsResets) {
  auto p = plan_resume(28, at(42, 30));  // row 29 was pruned
  EXPECT_TRUE(p.reset);
  EXPECT_EQ(p.start, 42);
  p = plan_resume(10, at(42, std::nullopt));  // all pruned
  EXPECT_TRUE(p.reset);
  EXPECT_EQ(p.start, 42);
}

TEST(ResumePlan, AnIdThisLogNeverGaveResets) {
  auto p = plan_resume(50, at(42, 30));
  EXPECT_TRUE(p.reset);
  EXPECT_EQ(p.start, 42);
  p = plan_resume(3, at(0, std::nullopt));  // a fresh log (e.g. another database)
  EXPECT_TRUE(p.reset);
  EXPECT_EQ(p.start, 0);
}

TEST(LastEventId, EmptyMeansNone) {
  auto id = parse_last_event_id("", "Last-Event-ID");
  ASSERT_TRUE(id);
  EXPECT_FALSE(id->has_value());
}

TEST(LastEventId, ADecimalSeqIsTaken) {
  auto id = parse_last_event_id("0", "Last-Event-ID");
  ASSERT_TRUE(id);
  EXPECT_EQ(**id, 0);
  id = parse_last_event_id("123456789012345678", "last_event_id");
  ASSERT_TRUE(id);
  EXPECT_EQ(**id, 123456789012345678);
}

TEST(LastEventId, AnythingElseIsA400NamingTheField) {
  for (const char* bad : {"-1", "+1", "1.5", "abc", "1 ", " 1", "0x10", "1234567890123456789"}) {
    auto id = parse_last_event_id(bad, "last_event_id");
    ASSERT_FALSE(id) << bad;
    EXPECT_EQ(id.error().kind, ErrorKind::bad_request) << bad;
    ASSERT_EQ(id.error().errors.size(), 1u) << bad;
    EXPECT_EQ(id.error().errors[0].field, "last_event_id") << bad;
  }
}

}  // namespace
}  // namespace todo::stream
