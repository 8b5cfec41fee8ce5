// The built-in assistant's parser (src/assistant): English commands → the tool calls and
// exact arguments they must produce, at a fixed clock and zone; the messages it must refuse
// or not understand; the quick add's fields and chips (UTF-16 offsets); local time → UTC
// across DST changes (tasks/recurrence.hpp local_to_utc).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "assistant/command.hpp"
#include "assistant/draft.hpp"
#include "assistant/plan.hpp"
#include "core/time.hpp"
#include "tasks/recurrence.hpp"

namespace todo::assistant {
namespace {

namespace json = boost::json;

// Monday 30 November 2026, 15:00 in Paris (CET, UTC+1).
constexpr const char* kNow = "2026-11-30T14:00:00Z";
constexpr const char* kZone = "Europe/Paris";

Clock clock_at(const char* now = kNow, const char* zone = kZone) {
  auto c = make_clock(*parse_rfc3339(now), zone);
  EXPECT_TRUE(c) << zone;
  return *c;
}

// The ids of the last list shown ("complete 2" → 102).
const std::vector<std::int64_t> kNumbering = {101, 102, 103, 104, 105};

std::string render(const ToolCall& call) {
  return call.name + " " + json::serialize(call.arguments);
}

// What the command does, as text: its direct call; or for a numbered target the action on
// the id of kNumbering; or for a title the lookup, then the action on the id it finds
// (written as task_id 0 here).
std::string plan_of(const Command& c, const Clock& clock) {
  if (auto direct = direct_call(c, clock)) return render(*direct);
  if (c.target.number) {
    const int n = *c.target.number == -1 ? static_cast<int>(kNumbering.size()) : *c.target.number;
    if (n < 1 || n > static_cast<int>(kNumbering.size())) return "out of range";
    if (auto action = action_call(c, kNumbering[n - 1])) return render(*action);
  }
  if (!c.target.title.empty())
    if (auto action = action_call(c, 0)) return render(lookup_call(c)) + " ; " + render(*action);
  switch (c.verb) {
    case Verb::help:
      return "help";
    case Verb::select:
      return "select " + std::to_string(c.target.number.value_or(0));
    case Verb::refuse:
      return "refuse";
    case Verb::unknown:
      return "unknown";
    case Verb::empty:
      return "empty";
    default:
      return "nothing";
  }
}

struct Row {
  const char* text;
  const char* expected;
  const char* now = kNow;
  const char* zone = kZone;
};

// Paris: CET (UTC+1) until 29 March 2026 02:00, CEST (UTC+2) from then.
// New York: EDT (UTC-4) until 1 November 2026 02:00, EST (UTC-5) after.
const Row kCommands[] = {
    // add: titles, dates, times
    {"add Buy milk", R"(add_task {"title":"Buy milk","timezone":"Europe/Paris"})"},
    {"add Pay rent tomorrow 9am !high #home every month",
     R"(add_task {"title":"Pay rent","due_at":"2026-12-01T08:00:00Z","priority":"high","tags":["home"],"recurrence":"FREQ=MONTHLY","timezone":"Europe/Paris"})"},
    {"add Call mom at 5pm",
     R"(add_task {"title":"Call mom","due_at":"2026-11-30T16:00:00Z","timezone":"Europe/Paris"})"},
    {"add Call mom at 9am",
     R"(add_task {"title":"Call mom","due_at":"2026-12-01T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Standup 17:30",
     R"(add_task {"title":"Standup","due_at":"2026-11-30T16:30:00Z","timezone":"Europe/Paris"})"},
    {"add Standup at 9",
     R"(add_task {"title":"Standup","due_at":"2026-12-01T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Lunch noon",
     R"(add_task {"title":"Lunch","due_at":"2026-12-01T11:00:00Z","timezone":"Europe/Paris"})"},
    {"add Backup midnight",
     R"(add_task {"title":"Backup","due_at":"2026-11-30T23:00:00Z","timezone":"Europe/Paris"})"},
    {"add Sleep early tonight",
     R"(add_task {"title":"Sleep early","due_at":"2026-11-30T19:00:00Z","timezone":"Europe/Paris"})"},
    {"add Movie tonight at 9",
     R"(add_task {"title":"Movie","due_at":"2026-11-30T20:00:00Z","timezone":"Europe/Paris"})"},
    {"add Report today",
     R"(add_task {"title":"Report","due_at":"2026-11-30T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Report tomorrow",
     R"(add_task {"title":"Report","due_at":"2026-12-01T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Report the day after tomorrow 14:00",
     R"(add_task {"title":"Report","due_at":"2026-12-02T13:00:00Z","timezone":"Europe/Paris"})"},
    {"add Report due friday",
     R"(add_task {"title":"Report","due_at":"2026-12-04T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Report on Friday at 4pm",
     R"(add_task {"title":"Report","due_at":"2026-12-04T15:00:00Z","timezone":"Europe/Paris"})"},
    {"add Team meeting next Monday 10am #work",
     R"(add_task {"title":"Team meeting","due_at":"2026-12-07T09:00:00Z","tags":["work"],"timezone":"Europe/Paris"})"},
    {"add Yoga monday",
     R"(add_task {"title":"Yoga","due_at":"2026-12-07T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Yoga this monday 6pm",
     R"(add_task {"title":"Yoga","due_at":"2026-11-30T17:00:00Z","timezone":"Europe/Paris"})"},
    {"add Read book this Friday",
     R"(add_task {"title":"Read book","due_at":"2026-12-04T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Ship release in 2 hours",
     R"(add_task {"title":"Ship release","due_at":"2026-11-30T16:00:00Z","timezone":"Europe/Paris"})"},
    {"add Tea in 45 minutes",
     R"(add_task {"title":"Tea","due_at":"2026-11-30T14:45:00Z","timezone":"Europe/Paris"})"},
    {"add Call back in an hour",
     R"(add_task {"title":"Call back","due_at":"2026-11-30T15:00:00Z","timezone":"Europe/Paris"})"},
    {"add Renew passport in 3 days",
     R"(add_task {"title":"Renew passport","due_at":"2026-12-03T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Check-up in two weeks",
     R"(add_task {"title":"Check-up","due_at":"2026-12-14T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Dentist on Dec 5 at 17:30",
     R"(add_task {"title":"Dentist","due_at":"2026-12-05T16:30:00Z","timezone":"Europe/Paris"})"},
    {"add Party 5 December",
     R"(add_task {"title":"Party","due_at":"2026-12-05T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Party the 5th of december 8pm",
     R"(add_task {"title":"Party","due_at":"2026-12-05T19:00:00Z","timezone":"Europe/Paris"})"},
    {"add Taxes 2026-12-05 noon",
     R"(add_task {"title":"Taxes","due_at":"2026-12-05T11:00:00Z","timezone":"Europe/Paris"})"},
    {"add New year call jan 1",
     R"(add_task {"title":"New year call","due_at":"2027-01-01T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Summer trip July 14 2027",
     R"(add_task {"title":"Summer trip","due_at":"2027-07-14T07:00:00Z","timezone":"Europe/Paris"})"},
    {"add Clean up end of week",
     R"(add_task {"title":"Clean up","due_at":"2026-12-04T16:00:00Z","timezone":"Europe/Paris"})"},
    {"add Invoices end of the month",
     R"(add_task {"title":"Invoices","due_at":"2026-11-30T16:00:00Z","timezone":"Europe/Paris"})"},
    {"add Plan sprint next week",
     R"(add_task {"title":"Plan sprint","due_at":"2026-12-07T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add 9am tomorrow Gym",
     R"(add_task {"title":"Gym","due_at":"2026-12-01T08:00:00Z","timezone":"Europe/Paris"})"},
    // priorities and tags
    {"add Fix bug !low",
     R"(add_task {"title":"Fix bug","priority":"low","timezone":"Europe/Paris"})"},
    {"add Fix bug urgent #work #backend",
     R"(add_task {"title":"Fix bug","priority":"high","tags":["work","backend"],"timezone":"Europe/Paris"})"},
    {"add Fix bug high priority",
     R"(add_task {"title":"Fix bug","priority":"high","timezone":"Europe/Paris"})"},
    {"add Fix bug priority medium",
     R"(add_task {"title":"Fix bug","priority":"medium","timezone":"Europe/Paris"})"},
    {"create a task to water plants p1",
     R"(add_task {"title":"water plants","priority":"high","timezone":"Europe/Paris"})"},
    {"new task: Buy stamps #errands",
     R"(add_task {"title":"Buy stamps","tags":["errands"],"timezone":"Europe/Paris"})"},
    // recurrence (first occurrence from Monday 15:00)
    {"add Stretch every day",
     R"(add_task {"title":"Stretch","due_at":"2026-12-01T08:00:00Z","recurrence":"FREQ=DAILY","timezone":"Europe/Paris"})"},
    {"add Stretch daily at 6pm",
     R"(add_task {"title":"Stretch","due_at":"2026-11-30T17:00:00Z","recurrence":"FREQ=DAILY","timezone":"Europe/Paris"})"},
    {"add Gym every weekday at 7am",
     R"(add_task {"title":"Gym","due_at":"2026-12-01T06:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR","timezone":"Europe/Paris"})"},
    {"add Water plants every Monday and Thursday",
     R"(add_task {"title":"Water plants","due_at":"2026-12-03T08:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=MO,TH","timezone":"Europe/Paris"})"},
    {"add Review every 2 weeks at 9",
     R"(add_task {"title":"Review","due_at":"2026-12-01T08:00:00Z","recurrence":"FREQ=WEEKLY;INTERVAL=2","timezone":"Europe/Paris"})"},
    {"add Laundry every other week",
     R"(add_task {"title":"Laundry","due_at":"2026-12-01T08:00:00Z","recurrence":"FREQ=WEEKLY;INTERVAL=2","timezone":"Europe/Paris"})"},
    {"add Rent every month on Dec 1",
     R"(add_task {"title":"Rent","due_at":"2026-12-01T08:00:00Z","recurrence":"FREQ=MONTHLY","timezone":"Europe/Paris"})"},
    {"add Birthday yearly",
     R"(add_task {"title":"Birthday","due_at":"2026-12-01T08:00:00Z","recurrence":"FREQ=YEARLY","timezone":"Europe/Paris"})"},
    {"add Brunch every weekend at 11",
     R"(add_task {"title":"Brunch","due_at":"2026-12-05T10:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=SA,SU","timezone":"Europe/Paris"})"},
    {"add Team sync every mon, wed and fri at 10am",
     R"(add_task {"title":"Team sync","due_at":"2026-12-02T09:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=MO,WE,FR","timezone":"Europe/Paris"})"},
    // reminders
    {"remind me to call mom at 5pm",
     R"(add_task {"title":"call mom","due_at":"2026-11-30T16:00:00Z","remind_at":"2026-11-30T16:00:00Z","timezone":"Europe/Paris"})"},
    {"add Call bank tomorrow 10am remind me at 9am",
     R"(add_task {"title":"Call bank","due_at":"2026-12-01T09:00:00Z","remind_at":"2026-12-01T08:00:00Z","timezone":"Europe/Paris"})"},
    {"add Flight friday 7am remind me 2 hours before",
     R"(add_task {"title":"Flight","due_at":"2026-12-04T06:00:00Z","remind_at":"2026-12-04T04:00:00Z","timezone":"Europe/Paris"})"},
    {"add Pills remind me in 30 minutes",
     R"(add_task {"title":"Pills","remind_at":"2026-11-30T14:30:00Z","timezone":"Europe/Paris"})"},
    // DST: Friday 27 March 2026, Paris; the clocks go forward on Sunday 29 March at 02:00.
    {"add Brunch sunday 10am",
     R"(add_task {"title":"Brunch","due_at":"2026-03-29T08:00:00Z","timezone":"Europe/Paris"})",
     "2026-03-27T10:00:00Z"},
    {"add Night job sunday 2:30am",
     R"(add_task {"title":"Night job","due_at":"2026-03-29T01:30:00Z","timezone":"Europe/Paris"})",
     "2026-03-27T10:00:00Z"},
    {"add Standup every weekday at 9",
     R"(add_task {"title":"Standup","due_at":"2026-03-30T07:00:00Z","recurrence":"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR","timezone":"Europe/Paris"})",
     "2026-03-27T10:00:00Z"},
    // New York, Friday 30 October 2026: 1:30 on Sunday 1 November happens twice; the first.
    {"add Owl watch sunday 1:30am",
     R"(add_task {"title":"Owl watch","due_at":"2026-11-01T05:30:00Z","timezone":"America/New_York"})",
     "2026-10-30T16:00:00Z", "America/New_York"},
    {"add Call London monday 9am",
     R"(add_task {"title":"Call London","due_at":"2026-11-02T14:00:00Z","timezone":"America/New_York"})",
     "2026-10-30T16:00:00Z", "America/New_York"},
    // UTC
    {"add Deploy tomorrow 9am",
     R"(add_task {"title":"Deploy","due_at":"2026-12-01T09:00:00Z","timezone":"UTC"})", kNow,
     "UTC"},
    {"add Deploy in 3 hours",
     R"(add_task {"title":"Deploy","due_at":"2026-11-30T17:00:00Z","timezone":"UTC"})", kNow,
     "UTC"},
    // list
    {"list", R"(list_tasks {"status":"pending"})"},
    {"show my tasks", R"(list_tasks {"status":"pending"})"},
    {"list all", R"(list_tasks {"status":"all"})"},
    {"what's completed?", R"(list_tasks {"status":"completed"})"},
    {"show done tasks", R"(list_tasks {"status":"completed"})"},
    {"what's due today?",
     R"(search_tasks {"status":"pending","due_after":"2026-11-29T22:59:59.999Z","due_before":"2026-11-30T23:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"today",
     R"(search_tasks {"status":"pending","due_after":"2026-11-29T22:59:59.999Z","due_before":"2026-11-30T23:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"what is due tomorrow",
     R"(search_tasks {"status":"pending","due_after":"2026-11-30T22:59:59.999Z","due_before":"2026-12-01T23:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"this week",
     R"(search_tasks {"status":"pending","due_after":"2026-11-29T22:59:59.999Z","due_before":"2026-12-06T23:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"show overdue tasks",
     R"(search_tasks {"status":"pending","due_before":"2026-11-30T14:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"overdue",
     R"(search_tasks {"status":"pending","due_before":"2026-11-30T14:00:00Z","sort":"due_at","order":"asc","limit":200})"},
    {"show #home", R"(search_tasks {"status":"pending","tag":["home"],"limit":200})"},
    {"list tasks tagged work", R"(search_tasks {"status":"pending","tag":["work"],"limit":200})"},
    {"high priority tasks", R"(search_tasks {"status":"pending","priority":"high","limit":200})"},
    {"list urgent", R"(search_tasks {"status":"pending","priority":"high","limit":200})"},
    {"show all low priority tasks",
     R"(search_tasks {"status":"all","priority":"low","limit":200})"},
    // search
    {"find dentist", R"(search_tasks {"q":"dentist","limit":50})"},
    {"search for rent", R"(search_tasks {"q":"rent","limit":50})"},
    {"look for \"oat milk\"", R"(search_tasks {"q":"oat milk","limit":50})"},
    {"find #home", R"(search_tasks {"status":"pending","tag":["home"],"limit":200})"},
    // complete / reopen
    {"complete 2", R"(complete_task {"task_id":102})"},
    {"done 3", R"(complete_task {"task_id":103})"},
    {"mark 2 as done", R"(complete_task {"task_id":102})"},
    {"mark #4 done", R"(complete_task {"task_id":104})"},
    {"check off the second one", R"(complete_task {"task_id":102})"},
    {"complete the last one", R"(complete_task {"task_id":105})"},
    {"complete task 1", R"(complete_task {"task_id":101})"},
    {"finish buy milk",
     R"(search_tasks {"q":"buy milk","status":"pending","limit":20} ; complete_task {"task_id":0})"},
    {"complete \"delete all my tasks\"",
     R"(search_tasks {"q":"delete all my tasks","status":"pending","limit":20} ; complete_task {"task_id":0})"},
    {"I finished buy milk",
     R"(search_tasks {"q":"buy milk","status":"pending","limit":20} ; complete_task {"task_id":0})"},
    {"i've done 4", R"(complete_task {"task_id":104})"},
    {"please complete 1", R"(complete_task {"task_id":101})"},
    {"can you please add Call the bank at 10am?",
     R"(add_task {"title":"Call the bank","due_at":"2026-12-01T09:00:00Z","timezone":"Europe/Paris"})"},
    {"reopen 2", R"(complete_task {"task_id":102,"completed":false})"},
    {"mark buy milk as not done",
     R"(search_tasks {"q":"buy milk","status":"completed","limit":20} ; complete_task {"task_id":0,"completed":false})"},
    // rename
    {"rename 2 to Buy oat milk", R"(update_task {"task_id":102,"title":"Buy oat milk"})"},
    {"rename buy milk to buy oat milk",
     R"(search_tasks {"q":"buy milk","status":"all","limit":20} ; update_task {"task_id":0,"title":"buy oat milk"})"},
    {"change the title of 3 to \"Call the bank\"",
     R"(update_task {"task_id":103,"title":"Call the bank"})"},
    // reschedule
    {"move 3 to friday 4pm", R"(update_task {"task_id":103,"due_at":"2026-12-04T15:00:00Z"})"},
    {"postpone buy milk to tomorrow",
     R"(search_tasks {"q":"buy milk","status":"all","limit":20} ; update_task {"task_id":0,"due_at":"2026-12-01T08:00:00Z"})"},
    {"reschedule 2 for next monday",
     R"(update_task {"task_id":102,"due_at":"2026-12-07T08:00:00Z"})"},
    {"move go to gym to friday 7pm",
     R"(search_tasks {"q":"go to gym","status":"all","limit":20} ; update_task {"task_id":0,"due_at":"2026-12-04T18:00:00Z"})"},
    {"push 1 to in 2 days", R"(update_task {"task_id":101,"due_at":"2026-12-02T08:00:00Z"})"},
    // priority
    {"set priority of 2 to high", R"(update_task {"task_id":102,"priority":"high"})"},
    {"make 2 urgent", R"(update_task {"task_id":102,"priority":"high"})"},
    {"mark 2 as low priority", R"(update_task {"task_id":102,"priority":"low"})"},
    {"prioritize 2", R"(update_task {"task_id":102,"priority":"high"})"},
    {"set pay rent to low priority",
     R"(search_tasks {"q":"pay rent","status":"all","limit":20} ; update_task {"task_id":0,"priority":"low"})"},
    // delete (one task)
    {"delete 2", R"(delete_task {"task_id":102})"},
    {"remove buy milk",
     R"(search_tasks {"q":"buy milk","status":"all","limit":20} ; delete_task {"task_id":0})"},
    {"delete task 5", R"(delete_task {"task_id":105})"},
    // help and answers to a question
    {"help", "help"},
    {"what can you do?", "help"},
    {"2", "select 2"},
    {"the second one", "select 2"},
    {"number 3", "select 3"},
};

TEST(AssistantParser, CommandTable) {
  static_assert(std::size(kCommands) >= 70);
  for (const Row& row : kCommands) {
    const Clock clock = clock_at(row.now, row.zone);
    EXPECT_EQ(plan_of(parse_command(row.text, clock), clock), row.expected) << row.text;
  }
}

struct Refusal {
  const char* text;
  Verb verb;
  const char* says;  // part of what the user is told ("" for none)
};

const Refusal kRefusals[] = {
    {"delete everything", Verb::refuse, "one task at a time"},
    {"delete all", Verb::refuse, "one task at a time"},
    {"delete all my tasks", Verb::refuse, "one task at a time"},
    {"remove all completed tasks", Verb::refuse, "one task at a time"},
    {"delete 1 and 2", Verb::refuse, "one task at a time"},
    {"delete 1, 2, 3", Verb::refuse, "one task at a time"},
    {"delete 1-3", Verb::refuse, "one task at a time"},
    {"clear my list", Verb::refuse, "one task at a time"},
    {"complete all", Verb::refuse, "one task at a time"},
    {"asdf qwerty", Verb::unknown, ""},
    {"the weather is nice", Verb::unknown, ""},
    {"Buy milk", Verb::unknown, ""},  // no verb: not guessed
    {"", Verb::empty, ""},
    {"   \n ", Verb::empty, ""},
    {"add", Verb::unknown, "What should the new task say"},
    {"add tomorrow 9am #home", Verb::unknown, "no title"},
    {"complete", Verb::unknown, "Which task"},
    {"rename 2", Verb::unknown, "new title"},
    {"move 2 to someday", Verb::unknown, "new date"},
    {"set priority of 2 to whenever", Verb::unknown, "priority"},
    {"find", Verb::unknown, "look for"},
    {"mark 2 as banana", Verb::unknown, "mark a task"},
};

TEST(AssistantParser, RefusesOrDoesNotUnderstand) {
  const Clock clock = clock_at();
  for (const Refusal& row : kRefusals) {
    const Command c = parse_command(row.text, clock);
    EXPECT_EQ(c.verb, row.verb) << row.text;
    EXPECT_NE(c.problem.find(row.says), std::string::npos) << row.text << " said: " << c.problem;
    // Nothing refused plans a call.
    EXPECT_FALSE(direct_call(c, clock)) << row.text;
    EXPECT_FALSE(action_call(c, 1)) << row.text;
  }
}

// The quick add: fields, chips in text order, UTF-16 offsets, and the title keeps what was
// not recognised.
TEST(AssistantQuickAdd, ChipsWithUtf16Offsets) {
  const Clock clock = clock_at();
  const TaskDraft d = parse_draft("Pay rent tomorrow 9am !high #home every month", clock);
  EXPECT_EQ(d.title, "Pay rent");
  ASSERT_EQ(d.chips.size(), 4u);
  EXPECT_EQ(d.chips[0].kind, "due");
  EXPECT_EQ(d.chips[0].text, "tomorrow 9am");
  EXPECT_EQ(d.chips[0].start, 9u);
  EXPECT_EQ(d.chips[0].end, 21u);
  EXPECT_EQ(d.chips[0].value, "2026-12-01T08:00:00Z");
  EXPECT_EQ(d.chips[1].kind, "priority");
  EXPECT_EQ(d.chips[1].value, "high");
  EXPECT_EQ(d.chips[2].kind, "tag");
  EXPECT_EQ(d.chips[2].value, "home");
  EXPECT_EQ(d.chips[2].start, 28u);
  EXPECT_EQ(d.chips[3].kind, "recurrence");
  EXPECT_EQ(d.chips[3].value, "FREQ=MONTHLY");
  EXPECT_EQ(d.chips[3].end, 45u);

  // "🎉" is 4 bytes of UTF-8 and 2 UTF-16 code units; "é" 2 bytes and 1 unit.
  const TaskDraft party = parse_draft("\xF0\x9F\x8E\x89 Fête friday 8pm #fun", clock);
  EXPECT_EQ(party.title, "\xF0\x9F\x8E\x89 Fête");
  ASSERT_EQ(party.chips.size(), 2u);
  EXPECT_EQ(party.chips[0].text, "friday 8pm");
  EXPECT_EQ(party.chips[0].start, 8u);  // "🎉 Fête " = 2 + 1 + 4 + 1
  EXPECT_EQ(party.chips[0].end, 18u);
  EXPECT_EQ(party.chips[0].byte_begin, 11u);
  EXPECT_EQ(party.chips[1].text, "#fun");
  EXPECT_EQ(party.chips[1].start, 19u);

  // Nothing recognised: the whole text is the title, no chips.
  const TaskDraft plain = parse_draft("Buy 2.50 worth of stamps", clock);
  EXPECT_EQ(plain.title, "Buy 2.50 worth of stamps");
  EXPECT_TRUE(plain.chips.empty());
  EXPECT_FALSE(plain.due_at);

  const TaskDraft remind = parse_draft("Call bank tomorrow 10am remind me at 9am", clock);
  ASSERT_EQ(remind.chips.size(), 2u);
  EXPECT_EQ(remind.chips[1].kind, "remind");
  EXPECT_EQ(remind.chips[1].text, "remind me at 9am");
  EXPECT_EQ(remind.chips[1].value, "2026-12-01T08:00:00Z");
}

// RFC 5545 §3.3.5: a local time in a DST gap is read with the offset before the gap; one
// that occurs twice is its first occurrence.
TEST(LocalToUtc, GapsAndOverlaps) {
  auto at = [](int y, int mo, int d, int h, int mi) {
    ZonedTime z;
    z.year = y, z.month = mo, z.day = d, z.hour = h, z.minute = mi;
    return z;
  };
  auto utc = [](const char* s) { return *parse_rfc3339(s); };
  EXPECT_EQ(local_to_utc(at(2026, 3, 29, 1, 30), "Europe/Paris"), utc("2026-03-29T00:30:00Z"));
  EXPECT_EQ(local_to_utc(at(2026, 3, 29, 2, 30), "Europe/Paris"),
            utc("2026-03-29T01:30:00Z"));  // gap
  EXPECT_EQ(local_to_utc(at(2026, 3, 29, 3, 30), "Europe/Paris"), utc("2026-03-29T01:30:00Z"));
  EXPECT_EQ(local_to_utc(at(2026, 10, 25, 2, 30), "Europe/Paris"),
            utc("2026-10-25T00:30:00Z"));  // twice
  EXPECT_EQ(local_to_utc(at(2026, 10, 25, 3, 30), "Europe/Paris"), utc("2026-10-25T02:30:00Z"));
  EXPECT_EQ(local_to_utc(at(2026, 11, 1, 1, 30), "America/New_York"),
            utc("2026-11-01T05:30:00Z"));  // twice
  EXPECT_EQ(local_to_utc(at(2026, 3, 8, 2, 30), "America/New_York"),
            utc("2026-03-08T07:30:00Z"));  // gap
  EXPECT_EQ(local_to_utc(at(2026, 7, 1, 12, 0), "Asia/Kolkata"), utc("2026-07-01T06:30:00Z"));
  EXPECT_EQ(local_to_utc(at(2026, 7, 1, 12, 0), "UTC"), utc("2026-07-01T12:00:00Z"));
  EXPECT_FALSE(local_to_utc(at(2026, 7, 1, 12, 0), "Mars/Olympus_Mons"));
  // The inverse of zoned_time away from changes.
  for (const char* zone : {"Europe/Paris", "America/New_York", "Australia/Sydney"}) {
    const Millis t = utc("2026-06-15T10:17:00Z");
    EXPECT_EQ(local_to_utc(*zoned_time(t, zone), zone), t) << zone;
  }
}

// Speed guard that asserts no timing: the parser reuses its tables (no regex, no
// per-call compilation); bench/assistant_parse.cpp measures calls per second.
TEST(AssistantParser, SameInputSameOutput) {
  const Clock clock = clock_at();
  const std::string first = plan_of(parse_command(kCommands[1].text, clock), clock);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(plan_of(parse_command(kCommands[1].text, clock), clock), first);
}

}  // namespace
}  // namespace todo::assistant
