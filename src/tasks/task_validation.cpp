#include "tasks/task_validation.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <unordered_set>

#include "core/field_errors.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "tasks/recurrence.hpp"
#include "tasks/task_json.hpp"

namespace todo {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTitleChars = 500;
constexpr std::size_t kMaxDescriptionChars = 10'000;
constexpr std::size_t kMaxTagChars = 50;
constexpr std::size_t kMaxEchoedNameBytes = 64;

struct Text {
  std::string_view value;  // trimmed when asked
  std::size_t code_points = 0;
  bool control = false;  // U+0000..U+001F other than tab, LF, CR
  bool line_break_or_tab = false;
};

std::optional<Text> scan_text(std::string_view s, bool trim) {
  // Pass 1: validate and find the trimmed bounds.
  std::size_t begin = s.size(), end = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::optional<char32_t> cp = next_code_point(s, i);
    if (!cp) return std::nullopt;
    if (trim && is_unicode_space(*cp)) continue;
    begin = std::min(begin, start);
    end = i;
  }
  Text text;
  text.value = !trim ? s : begin < end ? s.substr(begin, end - begin) : std::string_view();
  // Pass 2: count and classify what remains.
  for (std::size_t i = 0; i < text.value.size();) {
    const char32_t cp = *next_code_point(text.value, i);
    ++text.code_points;
    text.control |= cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r';
    text.line_break_or_tab |= cp == '\t' || cp == '\n' || cp == '\r';
  }
  return text;
}

std::string chars_message(const char* what, std::size_t n) {
  return std::string("must be ") + what + " " + std::to_string(n) + " characters";
}

}  // namespace

std::optional<std::string> normalize_tag(std::string_view raw, std::string& message) {
  const std::optional<Text> t = scan_text(raw, true);
  if (!t)
    message = "must be valid UTF-8";
  else if (t->code_points == 0)
    message = "must not be empty";
  else if (t->code_points > kMaxTagChars)
    message = chars_message("at most", kMaxTagChars);
  // Tags are single-line labels: no tabs or line breaks either.
  else if (t->control || t->line_break_or_tab)
    message = "must not contain control characters";
  else
    return std::string(t->value);
  return std::nullopt;
}

std::string echoed_name(std::string_view name) {
  if (name.size() <= kMaxEchoedNameBytes) return std::string(name);
  std::size_t cut = kMaxEchoedNameBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + "...";
}

namespace {

std::optional<std::string> read_title(const json::value& v, FieldErrors& errors) {
  if (!v.is_string()) return errors.add("title", "must be a string"), std::nullopt;
  const std::optional<Text> t = scan_text(v.get_string(), true);
  if (!t) return errors.add("title", "must be valid UTF-8"), std::nullopt;
  if (t->code_points == 0) return errors.add("title", "must not be empty"), std::nullopt;
  if (t->code_points > kMaxTitleChars) {
    return errors.add("title", chars_message("at most", kMaxTitleChars)), std::nullopt;
  }
  if (t->control) {
    return errors.add("title", "must not contain control characters"), std::nullopt;
  }
  return std::string(t->value);
}

std::optional<std::string> read_description(const json::value& v, FieldErrors& errors) {
  if (!v.is_string()) return errors.add("description", "must be a string"), std::nullopt;
  const std::optional<Text> t = scan_text(v.get_string(), false);
  if (!t) return errors.add("description", "must be valid UTF-8"), std::nullopt;
  if (t->code_points > kMaxDescriptionChars) {
    return errors.add("description", chars_message("at most", kMaxDescriptionChars)), std::nullopt;
  }
  return std::string(t->value);
}

std::optional<std::vector<std::string>> read_tags(const json::value& v, FieldErrors& errors) {
  if (!v.is_array()) return errors.add("tags", "must be an array of strings"), std::nullopt;
  const json::array& array = v.get_array();
  // Sizes before per-element work: a huge array is refused as a whole, at once.
  if (array.size() > kMaxTagsInBody) {
    errors.add("tags", "must have at most " + std::to_string(kMaxTags) + " tags");
    return std::nullopt;
  }
  std::vector<std::string> tags;
  std::unordered_set<std::string> seen;  // duplicates removed in linear time, order kept
  bool ok = true;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    if (!array[i].is_string()) {
      errors.add(field, "must be a string");
      ok = false;
      continue;
    }
    std::string message;
    std::optional<std::string> tag = normalize_tag(array[i].get_string(), message);
    if (!tag) {
      errors.add(field, message);
      ok = false;
    } else if (seen.insert(*tag).second) {
      tags.push_back(std::move(*tag));
    }
  }
  // Counted after removing duplicates: what is stored is what is limited.
  if (tags.size() > kMaxTags) {
    errors.add("tags", "must have at most " + std::to_string(kMaxTags) + " tags");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return tags;
}

std::optional<Priority> read_priority(const json::value& v, FieldErrors& errors) {
  if (!v.is_string()) return errors.add("priority", "must be a string"), std::nullopt;
  const std::optional<Priority> p = parse_priority(v.get_string());
  if (!p) errors.add("priority", "must be one of low, medium, high");
  return p;
}

std::optional<bool> read_bool(const char* field, const json::value& v, FieldErrors& errors) {
  if (!v.is_bool()) return errors.add(field, "must be a boolean"), std::nullopt;
  return v.get_bool();
}

// Outer optional: valid or not; inner: the time or null.
std::optional<std::optional<Millis>> read_time(const char* field, const json::value& v,
                                               FieldErrors& errors) {
  if (v.is_null()) return std::optional<Millis>{};
  if (!v.is_string()) return errors.add(field, "must be a string or null"), std::nullopt;
  const std::optional<Millis> t = parse_rfc3339(v.get_string());
  if (!t) {
    errors.add(field, "must be an RFC 3339 date-time with offset, e.g. 2026-12-01T09:00:00Z");
    return std::nullopt;
  }
  return t;
}

std::optional<std::optional<std::string>> read_recurrence(const json::value& v,
                                                          FieldErrors& errors) {
  if (v.is_null() || (v.is_string() && v.get_string().empty())) {
    return std::optional<std::string>{};  // "" means "no recurrence", like null
  }
  if (!v.is_string()) return errors.add("recurrence", "must be a string or null"), std::nullopt;
  if (std::optional<std::string> why = rrule_error(v.get_string())) {
    return errors.add("recurrence", std::move(*why)), std::nullopt;
  }
  return std::optional<std::string>(std::string(v.get_string()));
}

std::optional<std::string> read_timezone(const json::value& v, FieldErrors& errors) {
  if (!v.is_string()) return errors.add("timezone", "must be a string"), std::nullopt;
  if (!is_known_timezone(v.get_string())) {
    return errors.add("timezone", "must be a known IANA time zone name, e.g. Europe/Berlin"),
           std::nullopt;
  }
  return std::string(v.get_string());
}

bool is_read_only(std::string_view key) {
  return key == "id" || key == "user_id" || key == "created_at" || key == "updated_at" ||
         key == "completed_at" || key == "version" || key == "series_id";
}

// Every present key of a task body into `patch`; errors for bad values and unknown keys.
void read_patch(const json::object& body, TaskPatch& patch, FieldErrors& errors) {
  for (const auto& [key, value] : body) {
    if (key == "title")
      patch.title = read_title(value, errors);
    else if (key == "description")
      patch.description = read_description(value, errors);
    else if (key == "completed")
      patch.completed = read_bool("completed", value, errors);
    else if (key == "priority")
      patch.priority = read_priority(value, errors);
    else if (key == "tags")
      patch.tags = read_tags(value, errors);
    else if (key == "due_at")
      patch.due_at = read_time("due_at", value, errors);
    else if (key == "remind_at")
      patch.remind_at = read_time("remind_at", value, errors);
    else if (key == "recurrence")
      patch.recurrence = read_recurrence(value, errors);
    else if (key == "timezone")
      patch.timezone = read_timezone(value, errors);
    else if (!is_read_only(key))
      errors.add(echoed_name(key), "unknown field");
  }
}

}  // namespace

Result<TaskPatch> parse_task_patch(const json::value& body) {
  if (!body.is_object()) {
    return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  }
  TaskPatch patch;
  FieldErrors errors;
  read_patch(body.get_object(), patch, errors);
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::validation);
  return patch;
}

Result<TaskFields> parse_task_fields(const json::value& body) {
  if (!body.is_object()) {
    return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  }
  TaskPatch patch;
  FieldErrors errors;
  read_patch(body.get_object(), patch, errors);
  if (!body.get_object().contains("title")) errors.add("title", "is required");
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::validation);
  return apply_patch(Task{}, patch);  // absent fields take Task's defaults
}

TaskFields apply_patch(const Task& task, const TaskPatch& patch) {
  TaskFields f{task.title,  task.description, task.completed,  task.priority, task.tags,
               task.due_at, task.remind_at,   task.recurrence, task.timezone};
  if (patch.title) f.title = *patch.title;
  if (patch.description) f.description = *patch.description;
  if (patch.completed) f.completed = *patch.completed;
  if (patch.priority) f.priority = *patch.priority;
  if (patch.tags) f.tags = *patch.tags;
  if (patch.due_at) f.due_at = *patch.due_at;
  if (patch.remind_at) f.remind_at = *patch.remind_at;
  if (patch.recurrence) f.recurrence = *patch.recurrence;
  if (patch.timezone) f.timezone = *patch.timezone;
  return f;
}

Result<std::int64_t> parse_task_id(std::string_view text) {
  auto bad = [] {
    return Error::field(ErrorKind::bad_request, "id", "must be a positive integer");
  };
  if (text.empty()) return bad();
  std::int64_t id = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return bad();
    const int digit = c - '0';
    if (id > (INT64_MAX - digit) / 10) return bad();  // would overflow int64
    id = id * 10 + digit;
  }
  if (id == 0) return bad();
  return id;
}

}  // namespace todo
