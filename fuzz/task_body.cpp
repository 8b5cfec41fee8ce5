// Bodies of POST/PUT and PATCH /api/{user_id}/tasks/{id} (tasks/task_validation.hpp), parsed
// as the routes parse them (JSON text, then the fields), and the task id of the path.
// Invariants: a refusal is a 4xx naming at least one field; at most 20 field errors (and a
// count of the rest); accepted fields are within the documented limits and, written back as
// JSON, parse to the same fields (what a client reads back it can send again unchanged).
#include <boost/json.hpp>
#include <string>

#include "core/field_errors.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "fuzz_support.hpp"
#include "tasks/task_json.hpp"
#include "tasks/task_validation.hpp"

using namespace todo;
namespace json = boost::json;

namespace {

json::value optional_millis(const std::optional<Millis>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object fields_json(const TaskFields& f) {
  json::array tags;
  for (const auto& t : f.tags) tags.emplace_back(t);
  return json::object{{"title", f.title},
                      {"description", f.description},
                      {"completed", f.completed},
                      {"priority", priority_name(f.priority)},
                      {"tags", std::move(tags)},
                      {"due_at", optional_millis(f.due_at)},
                      {"remind_at", optional_millis(f.remind_at)},
                      {"recurrence", f.recurrence ? json::value(*f.recurrence) : nullptr},
                      {"timezone", f.timezone}};
}

bool same(const TaskFields& a, const TaskFields& b) {
  return a.title == b.title && a.description == b.description && a.completed == b.completed &&
         a.priority == b.priority && a.tags == b.tags && a.due_at == b.due_at &&
         a.remind_at == b.remind_at && a.recurrence == b.recurrence && a.timezone == b.timezone;
}

std::size_t utf8_length(std::string_view s) {
  auto cps = decode_utf8(s);
  FUZZ_CHECK(cps.has_value());  // fields come from JSON: valid UTF-8
  return cps->size();
}

void check_refusal(const Error& e) {
  FUZZ_CHECK(e.kind == ErrorKind::validation || e.kind == ErrorKind::bad_request);
  // At most 20 field errors, then one entry "..." counting the rest (core/field_errors.hpp).
  FUZZ_CHECK(!e.errors.empty() && e.errors.size() <= kMaxFieldErrors + 1);
  if (e.errors.size() == kMaxFieldErrors + 1) FUZZ_CHECK(e.errors.back().field == "...");
}

void check_fields(const TaskFields& f) {
  FUZZ_CHECK(!f.title.empty() && utf8_length(f.title) <= 500);
  FUZZ_CHECK(utf8_length(f.description) <= 10'000);
  FUZZ_CHECK(f.tags.size() <= kMaxTags);
  for (const auto& tag : f.tags) {
    std::string message;
    FUZZ_CHECK(normalize_tag(tag, message) == tag);  // stored tags are normalized already
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  if (auto id = parse_task_id(text); id)
    FUZZ_CHECK(*id > 0);
  else
    FUZZ_CHECK(id.error().kind == ErrorKind::bad_request);

  boost::system::error_code ec;
  json::value body = json::parse(text, ec);
  if (ec) return 0;

  Result<TaskFields> fields = parse_task_fields(body);
  if (!fields) {
    check_refusal(fields.error());
  } else {
    check_fields(*fields);
    Result<TaskFields> again = parse_task_fields(fields_json(*fields));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(same(*fields, *again));
  }

  Result<TaskPatch> patch = parse_task_patch(body);
  if (!patch) {
    check_refusal(patch.error());
  } else {
    // A valid patch applied to a valid task leaves a valid task.
    Task task;
    task.title = "a task";
    TaskFields patched = apply_patch(task, *patch);
    check_fields(patched);
    if (patch->title) FUZZ_CHECK(patched.title == *patch->title);
  }
  // PUT is PATCH onto the defaults, with a title required: the two parsers must agree.
  if (fields) FUZZ_CHECK(patch.ok() && same(apply_patch(Task{}, *patch), *fields));
  return 0;
}
