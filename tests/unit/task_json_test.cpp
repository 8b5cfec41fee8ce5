#include "tasks/task_json.hpp"
#include "tasks/task_validation.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/field_errors.hpp"
#include "core/time.hpp"

namespace todo {
namespace {

namespace json = boost::json;

Result<TaskFields> fields(std::string_view body) {
  return parse_task_fields(json::parse(body));
}
Result<TaskPatch> patch(std::string_view body) {
  return parse_task_patch(json::parse(body));
}

// The body {"title": "x", <extra>} for testing one field at a time.
Result<TaskFields> with_title(const std::string& extra) {
  return fields(R"({"title":"x",)" + extra + "}");
}

std::vector<std::string> error_fields(const Error& e) {
  std::vector<std::string> out;
  for (const FieldError& f : e.errors) out.push_back(f.field);
  return out;
}

std::string message_for(const Error& e, const std::string& field) {
  for (const FieldError& f : e.errors) {
    if (f.field == field) return f.message;
  }
  return "<no error for " + field + ">";
}

// Asserts a validation error naming exactly `expected` (in any order).
void expect_invalid(const Result<TaskFields>& r, std::vector<std::string> expected) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  std::vector<std::string> actual = error_fields(r.error());
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(actual, expected);
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string json_string_array(int n, const std::string& prefix = "t") {
  std::string out = "[";
  for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + prefix + std::to_string(i) + "\"";
  return out + "]";
}

TEST(ParseTaskFields, MinimalBodyTakesDefaults) {
  auto r = fields(R"({"title":"Pay rent"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "Pay rent");
  EXPECT_EQ(r->description, "");
  EXPECT_FALSE(r->completed);
  EXPECT_EQ(r->priority, Priority::medium);
  EXPECT_TRUE(r->tags.empty());
  EXPECT_FALSE(r->due_at);
  EXPECT_FALSE(r->remind_at);
  EXPECT_FALSE(r->recurrence);
  EXPECT_EQ(r->timezone, "UTC");
}

TEST(ParseTaskFields, FullBody) {
  auto r = fields(R"({"title":"Pay rent","description":"to the landlord","completed":true,
    "priority":"high","tags":["home","money"],"due_at":"2026-12-01T10:00:00+01:00",
    "remind_at":"2026-12-01T08:30:00Z","recurrence":"FREQ=MONTHLY;BYMONTHDAY=1",
    "timezone":"Europe/Berlin"})");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->description, "to the landlord");
  EXPECT_TRUE(r->completed);
  EXPECT_EQ(r->priority, Priority::high);
  EXPECT_EQ(r->tags, (std::vector<std::string>{"home", "money"}));
  EXPECT_EQ(r->due_at, parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(r->remind_at, parse_rfc3339("2026-12-01T08:30:00Z"));
  EXPECT_EQ(r->recurrence, "FREQ=MONTHLY;BYMONTHDAY=1");
  EXPECT_EQ(r->timezone, "Europe/Berlin");
}

TEST(ParseTaskFields, BodyMustBeAnObject) {
  for (const char* body : {"[]", "\"title\"", "42", "null", "true"}) {
    auto r = fields(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::validation);
    EXPECT_EQ(error_fields(r.error()), std::vector<std::string>{"body"});
  }
}

TEST(ParseTaskFields, TitleIsRequired) {
  auto r = fields(R"({"description":"no title"})");
  expect_invalid(r, {"title"});
  EXPECT_EQ(message_for(r.error(), "title"), "is required");
}

TEST(ParseTaskFields, TitleIsTrimmed) {
  EXPECT_EQ(fields(R"({"title":"  Pay rent \t\n"})")->title, "Pay rent");
  // Unicode white space (no-break space, ideographic space) is trimmed too.
  EXPECT_EQ(fields(R"({"title":"\u00a0Pay\u3000"})")->title, "Pay");
}

TEST(ParseTaskFields, TitleMustNotBeBlank) {
  expect_invalid(fields(R"({"title":""})"), {"title"});
  expect_invalid(fields(R"({"title":"   "})"), {"title"});
  expect_invalid(fields(R"({"title":"\u00a0\u2003"})"), {"title"});
}

TEST(ParseTaskFields, TitleLengthCountsCodePointsAfterTrimming) {
  EXPECT_TRUE(fields(R"({"title":")" + repeat("a", 500) + R"("})").ok());
  expect_invalid(fields(R"({"title":")" + repeat("a", 501) + R"("})"), {"title"});
  // 500 three-byte characters (1500 bytes) are still 500 characters.
  EXPECT_TRUE(fields(R"({"title":")" + repeat("\u20ac", 500) + R"("})").ok());
  expect_invalid(fields(R"({"title":")" + repeat("\u20ac", 501) + R"("})"), {"title"});
  // 4-byte characters (outside the BMP) count once each.
  EXPECT_TRUE(fields(R"({"title":")" + repeat("\U0001F600", 500) + R"("})").ok());
  // Surrounding white space does not count.
  EXPECT_TRUE(fields(R"({"title":"  )" + repeat("a", 500) + R"(  "})").ok());
}

TEST(ParseTaskFields, TitleRejectsControlCharacters) {
  auto r = fields(R"({"title":"bell\u0007"})");
  expect_invalid(r, {"title"});
  EXPECT_EQ(message_for(r.error(), "title"), "must not contain control characters");
  expect_invalid(fields(R"({"title":"a\u0000b"})"), {"title"});
  expect_invalid(fields(R"({"title":"a\u001fb"})"), {"title"});
  // Tab, line feed and carriage return inside a title are allowed.
  EXPECT_EQ(fields(R"({"title":"a\tb\r\nc"})")->title, "a\tb\r\nc");
}

TEST(ParseTaskFields, StringsBuiltInCodeMustBeValidUtf8) {
  json::object body;
  body["title"] = "bad \xff byte";
  expect_invalid(parse_task_fields(body), {"title"});
  body["title"] = "truncated \xe2\x82";
  expect_invalid(parse_task_fields(body), {"title"});
  body["title"] = "overlong \xc0\xaf";
  expect_invalid(parse_task_fields(body), {"title"});
  body["title"] = "ok";
  body["description"] = "surrogate \xed\xa0\x80";
  expect_invalid(parse_task_fields(body), {"description"});
}

TEST(ParseTaskFields, DescriptionLength) {
  EXPECT_EQ(with_title(R"("description":")" + repeat("d", 10000) + "\"")->description.size(),
            10000u);
  expect_invalid(with_title(R"("description":")" + repeat("d", 10001) + "\""), {"description"});
  EXPECT_TRUE(with_title(R"("description":")" + repeat("\u00e9", 10000) + "\"").ok());
  expect_invalid(with_title(R"("description":")" + repeat("\u00e9", 10001) + "\""),
                 {"description"});
}

TEST(ParseTaskFields, DescriptionKeepsItsWhiteSpace) {
  EXPECT_EQ(with_title(R"("description":"  indented\n")")->description, "  indented\n");
}

TEST(ParseTaskFields, TagsTrimmedAndDeduplicatedInOrder) {
  auto r = with_title(R"("tags":[" work ","home","work","home ","urgent"])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tags, (std::vector<std::string>{"work", "home", "urgent"}));
}

TEST(ParseTaskFields, TagCountLimit) {
  EXPECT_EQ(with_title(R"("tags":)" + json_string_array(20))->tags.size(), 20u);
  auto r = with_title(R"("tags":)" + json_string_array(21));
  expect_invalid(r, {"tags"});
  EXPECT_EQ(message_for(r.error(), "tags"), "must have at most 20 tags");
  // The limit applies to distinct tags: 21 entries with one duplicate are fine.
  std::string twenty_and_a_duplicate = json_string_array(20);
  twenty_and_a_duplicate.back() = ',';
  twenty_and_a_duplicate += R"("t0"])";
  EXPECT_EQ(with_title(R"("tags":)" + twenty_and_a_duplicate)->tags.size(), 20u);
}

TEST(ParseTaskFields, TagLengthLimit) {
  EXPECT_TRUE(with_title(R"("tags":[")" + repeat("x", 50) + "\"]").ok());
  EXPECT_TRUE(with_title(R"("tags":[")" + repeat("\u00fc", 50) + "\"]").ok());
  auto r = with_title(R"("tags":["ok","ok2","fine",")" + repeat("x", 51) + "\"]");
  expect_invalid(r, {"tags[3]"});
  EXPECT_EQ(message_for(r.error(), "tags[3]"), "must be at most 50 characters");
}

TEST(ParseTaskFields, BadTagsAreNamedByIndex) {
  expect_invalid(with_title(R"("tags":["ok","  ",42,"a\nb"])"), {"tags[1]", "tags[2]", "tags[3]"});
}

TEST(ParseTaskFields, TagsMustBeAnArray) {
  expect_invalid(with_title(R"("tags":"home")"), {"tags"});
  expect_invalid(with_title(R"("tags":null)"), {"tags"});
  expect_invalid(with_title(R"("tags":{"a":1})"), {"tags"});
}

TEST(ParseTaskFields, Priority) {
  EXPECT_EQ(with_title(R"("priority":"low")")->priority, Priority::low);
  EXPECT_EQ(with_title(R"("priority":"medium")")->priority, Priority::medium);
  EXPECT_EQ(with_title(R"("priority":"high")")->priority, Priority::high);
  expect_invalid(with_title(R"("priority":"urgent")"), {"priority"});
  expect_invalid(with_title(R"("priority":"HIGH")"), {"priority"});
  expect_invalid(with_title(R"("priority":3)"), {"priority"});
  expect_invalid(with_title(R"("priority":null)"), {"priority"});
}

TEST(ParseTaskFields, Completed) {
  EXPECT_TRUE(with_title(R"("completed":true)")->completed);
  EXPECT_FALSE(with_title(R"("completed":false)")->completed);
  auto r = with_title(R"("completed":"true")");
  expect_invalid(r, {"completed"});
  EXPECT_EQ(message_for(r.error(), "completed"), "must be a boolean");
  expect_invalid(with_title(R"("completed":1)"), {"completed"});
}

TEST(ParseTaskFields, DueAndRemindAt) {
  auto r = with_title(R"("due_at":null,"remind_at":"2026-12-01T08:30:00.250Z")");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->due_at);
  EXPECT_EQ(r->remind_at, parse_rfc3339("2026-12-01T08:30:00.250Z"));
  expect_invalid(with_title(R"("due_at":"2026-02-30T00:00:00Z")"), {"due_at"});
  expect_invalid(with_title(R"("due_at":"2026-12-01")"), {"due_at"});
  expect_invalid(with_title(R"("remind_at":"2026-12-01T08:30:00")"), {"remind_at"});
  expect_invalid(with_title(R"("due_at":1796115600000)"), {"due_at"});
}

TEST(ParseTaskFields, Recurrence) {
  EXPECT_EQ(with_title(R"("recurrence":"FREQ=WEEKLY;BYDAY=MO,WE")")->recurrence,
            "FREQ=WEEKLY;BYDAY=MO,WE");
  EXPECT_FALSE(with_title(R"("recurrence":null)")->recurrence);
  EXPECT_FALSE(with_title(R"("recurrence":"")")->recurrence);  // "" means none
  expect_invalid(with_title(R"("recurrence":"FREQ=SOMETIMES")"), {"recurrence"});
  expect_invalid(with_title(R"("recurrence":"RRULE:FREQ=DAILY")"), {"recurrence"});
  expect_invalid(with_title(R"("recurrence":7)"), {"recurrence"});
}

TEST(ParseTaskFields, Timezone) {
  EXPECT_EQ(with_title(R"("timezone":"America/New_York")")->timezone, "America/New_York");
  EXPECT_EQ(with_title(R"("timezone":"UTC")")->timezone, "UTC");
  expect_invalid(with_title(R"("timezone":"Mars/Olympus_Mons")"), {"timezone"});
  expect_invalid(with_title(R"("timezone":"")"), {"timezone"});
  expect_invalid(with_title(R"("timezone":"../../../etc/passwd")"), {"timezone"});
  expect_invalid(with_title(R"("timezone":null)"), {"timezone"});
}

TEST(ParseTaskFields, ReadOnlyFieldsAreIgnored) {
  auto r = with_title(R"("id":7,"user_id":"u_x","created_at":"x","updated_at":1,
                         "completed_at":null,"version":99)");
  EXPECT_TRUE(r.ok());
}

TEST(ParseTaskFields, UnknownFieldIsNamed) {
  auto r = with_title(R"("colour":"red")");
  expect_invalid(r, {"colour"});
  EXPECT_EQ(message_for(r.error(), "colour"), "unknown field");
}

TEST(ParseTaskFields, LongUnknownFieldNamesAreShortenedInErrors) {
  auto r = with_title("\"" + repeat("k", 1000) + "\":1");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, repeat("k", 64) + "...");
}

TEST(ParseTaskFields, WrongTypesNameTheField) {
  auto r = fields(R"({"title":5,"description":[],"timezone":false})");
  expect_invalid(r, {"title", "description", "timezone"});
  EXPECT_EQ(message_for(r.error(), "title"), "must be a string");
  EXPECT_EQ(message_for(r.error(), "description"), "must be a string");
}

TEST(ParseTaskFields, CollectsAllErrors) {
  auto r = fields(R"({"title":"","priority":"urgent","tags":["a",""],"due_at":"soon",
    "recurrence":"FREQ=NEVER","timezone":"Nowhere","completed":"yes","extra":1})");
  expect_invalid(r, {"title", "priority", "tags[1]", "due_at", "recurrence", "timezone",
                     "completed", "extra"});
  // The detail names every problem too, for clients that only show the detail.
  EXPECT_NE(r.error().detail.find("extra: unknown field"), std::string::npos);
  EXPECT_NE(r.error().detail.find("priority:"), std::string::npos);
}

TEST(ParseTaskPatch, EmptyObjectIsANoOp) {
  auto r = patch("{}");
  ASSERT_TRUE(r.ok());
  Task task;
  task.title = "Keep";
  task.tags = {"a"};
  task.due_at = 5;
  const TaskFields f = apply_patch(task, *r);
  EXPECT_EQ(f.title, "Keep");
  EXPECT_EQ(f.tags, std::vector<std::string>{"a"});
  EXPECT_EQ(f.due_at, 5);
}

TEST(ParseTaskPatch, OnlyPresentFieldsAreSet) {
  auto r = patch(R"({"priority":"low"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->priority, Priority::low);
  EXPECT_FALSE(r->title);
  EXPECT_FALSE(r->due_at);
  EXPECT_FALSE(r->recurrence);
}

TEST(ParseTaskPatch, ExplicitNullClearsNullableFields) {
  auto r = patch(R"({"due_at":null,"remind_at":null,"recurrence":null})");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->due_at);    // present...
  EXPECT_FALSE(*r->due_at);  // ...and null
  ASSERT_TRUE(r->recurrence);
  EXPECT_FALSE(*r->recurrence);

  Task task;
  task.title = "t";
  task.due_at = 1;
  task.remind_at = 2;
  task.recurrence = "FREQ=DAILY";
  const TaskFields f = apply_patch(task, *r);
  EXPECT_FALSE(f.due_at);
  EXPECT_FALSE(f.remind_at);
  EXPECT_FALSE(f.recurrence);
}

TEST(ParseTaskPatch, EmptyRecurrenceClearsIt) {
  auto r = patch(R"({"recurrence":""})");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->recurrence);
  EXPECT_FALSE(*r->recurrence);
}

TEST(ParseTaskPatch, NullIsRejectedForNonNullableFields) {
  for (const char* body : {R"({"title":null})", R"({"description":null})", R"({"completed":null})",
                           R"({"tags":null})", R"({"timezone":null})"}) {
    auto r = patch(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::validation);
  }
}

TEST(ParseTaskPatch, PresentTitleMustBeValid) {
  auto r = patch(R"({"title":"  "})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(error_fields(r.error()), std::vector<std::string>{"title"});
  EXPECT_EQ(patch(R"({"title":" New "})")->title, "New");
}

TEST(ParseTaskPatch, SameRulesAsFields) {
  auto r = patch(R"({"tags":["ok",""],"colour":"red","priority":"x"})");
  ASSERT_FALSE(r.ok());
  auto names = error_fields(r.error());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"colour", "priority", "tags[1]"}));
  EXPECT_EQ(parse_task_patch(json::parse("[1]")).error().errors.at(0).field, "body");
}

TEST(ApplyPatch, MergesOntoTask) {
  Task task;
  task.title = "Old";
  task.description = "desc";
  task.priority = Priority::high;
  task.tags = {"a", "b"};
  task.timezone = "Europe/Berlin";
  auto r = patch(R"({"title":"New","tags":["c"],"due_at":"2026-12-01T09:00:00Z",
                     "completed":true})");
  ASSERT_TRUE(r.ok());
  const TaskFields f = apply_patch(task, *r);
  EXPECT_EQ(f.title, "New");
  EXPECT_EQ(f.description, "desc");
  EXPECT_EQ(f.priority, Priority::high);
  EXPECT_EQ(f.tags, std::vector<std::string>{"c"});
  EXPECT_EQ(f.due_at, parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_TRUE(f.completed);
  EXPECT_EQ(f.timezone, "Europe/Berlin");
}

TEST(ParseTaskId, Valid) {
  EXPECT_EQ(*parse_task_id("1"), 1);
  EXPECT_EQ(*parse_task_id("42"), 42);
  EXPECT_EQ(*parse_task_id("9223372036854775807"), INT64_MAX);
}

TEST(ParseTaskId, Invalid) {
  for (const char* bad : {"", "0", "-1", "+1", " 1", "1 ", "1.0", "1e3", "abc", "0x10",
                          "9223372036854775808", "99999999999999999999999"}) {
    auto r = parse_task_id(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_request);
    ASSERT_EQ(r.error().errors.size(), 1u);
    EXPECT_EQ(r.error().errors[0].field, "id");
  }
}

TEST(TaskToJson, HasExactlyTheContractFields) {
  Task task;
  task.id = 42;
  task.user_id = "u_abc";
  task.title = "Pay rent";
  task.tags = {"home"};
  task.due_at = *parse_rfc3339("2026-12-01T09:00:00Z");
  task.recurrence = "FREQ=MONTHLY;BYMONTHDAY=1";
  task.timezone = "Europe/Berlin";
  task.created_at = *parse_rfc3339("2026-01-30T10:00:00.123Z");
  task.updated_at = *parse_rfc3339("2026-01-30T10:00:01Z");
  task.version = 3;
  const json::object o = task_to_json(task);
  const json::value expected = json::parse(R"({"id":42,"user_id":"u_abc","title":"Pay rent",
    "description":"","completed":false,"priority":"medium","tags":["home"],
    "due_at":"2026-12-01T09:00:00Z","remind_at":null,"recurrence":"FREQ=MONTHLY;BYMONTHDAY=1",
    "timezone":"Europe/Berlin","created_at":"2026-01-30T10:00:00.123Z",
    "updated_at":"2026-01-30T10:00:01Z","completed_at":null,"version":3,"series_id":null})");
  EXPECT_EQ(json::value(o), expected) << json::serialize(o);
  EXPECT_TRUE(o.at("id").is_int64());
  EXPECT_TRUE(o.at("version").is_int64());
  task.series_id = 7;  // a next occurrence of a recurring series
  EXPECT_EQ(task_to_json(task).at("series_id"), json::value(7));
}

TEST(TaskToJson, CompletedTask) {
  Task task;
  task.completed = true;
  task.priority = Priority::high;
  task.completed_at = 1'000;
  const json::object o = task_to_json(task);
  EXPECT_EQ(o.at("completed"), true);
  EXPECT_EQ(o.at("priority"), "high");
  EXPECT_EQ(o.at("completed_at"), "1970-01-01T00:00:01Z");
}

TEST(TaskToJson, RoundTripsThroughParse) {
  Task task;
  task.title = "Round trip";
  task.description = "d";
  task.priority = Priority::low;
  task.tags = {"x", "y"};
  task.remind_at = *parse_rfc3339("2026-12-01T08:30:00Z");
  task.timezone = "Asia/Tokyo";
  auto r = parse_task_fields(task_to_json(task));  // read-only fields are ignored
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->title, task.title);
  EXPECT_EQ(r->tags, task.tags);
  EXPECT_EQ(r->remind_at, task.remind_at);
  EXPECT_EQ(r->timezone, task.timezone);
  EXPECT_EQ(r->priority, Priority::low);
}

}  // namespace
}  // namespace todo

namespace todo {
namespace {

// Issue 14 item 3: the work and the answer stay bounded, whatever the input.
TEST(TaskValidationLimits, AHugeTagsArrayIsRefusedAsAWholeWithOneError) {
  std::string body = R"({"title":"x","tags":[)";
  for (int i = 0; i < 500'000; ++i) body += i ? ",1" : "1";
  body += "]}";
  auto r = parse_task_fields(boost::json::parse(body));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, "tags");
  EXPECT_LT(r.error().detail.size(), 200u);
}

TEST(TaskValidationLimits, ManyBadElementsGiveABoundedErrorList) {
  std::string body = R"({"title":"x","tags":[)";
  for (int i = 0; i < 900; ++i) body += i ? ",1" : "1";  // under the whole-array limit
  body += "]}";
  auto r = parse_task_fields(boost::json::parse(body));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), kMaxFieldErrors + 1);
  EXPECT_EQ(r.error().errors.front().field, "tags[0]");
  EXPECT_EQ(r.error().errors.back().field, "...");
  EXPECT_NE(r.error().errors.back().message.find("more errors"), std::string::npos)
      << r.error().errors.back().message;
}

TEST(TaskValidationLimits, DistinctTagsAreCountedAfterDuplicatesWithoutQuadraticWork) {
  // 1 000 copies of 20 distinct tags: accepted, de-duplicated, order kept.
  std::string body = R"({"title":"x","tags":[)";
  for (int i = 0; i < 1000; ++i)
    body += std::string(i ? "," : "") + "\"t" + std::to_string(i % 20) + "\"";
  body += "]}";
  auto r = parse_task_fields(boost::json::parse(body));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->tags.size(), 20u);
  EXPECT_EQ(r->tags.front(), "t0");
  EXPECT_EQ(r->tags.back(), "t19");
  // 40 000 distinct tags: refused at once (the size check comes first).
  std::string many = R"({"title":"x","tags":[)";
  for (int i = 0; i < 40'000; ++i)
    many += std::string(i ? "," : "") + "\"t" + std::to_string(i) + "\"";
  many += "]}";
  auto refused = parse_task_fields(boost::json::parse(many));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().errors.size(), 1u);
}

}  // namespace
}  // namespace todo
