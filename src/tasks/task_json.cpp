#include "tasks/task_json.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/url/param.hpp>
#include <set>

#include "core/time.hpp"
#include "tasks/cursor.hpp"
#include "tasks/recurrence.hpp"

namespace todo {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTitleChars = 500;
constexpr std::size_t kMaxDescriptionChars = 10'000;
constexpr std::size_t kMaxTags = 20;
constexpr std::size_t kMaxTagChars = 50;
constexpr std::size_t kMaxQueryBytes = 200;
constexpr std::size_t kMaxSearchTerms = 10;
constexpr std::size_t kMaxSearchTermBytes = 50;
constexpr int kMaxLimit = 200;
constexpr std::size_t kMaxEchoedNameBytes = 64;

// Collects every field error of one request so the client can fix them all at once.
class Errors {
 public:
  void add(std::string field, std::string message) {
    list_.push_back({std::move(field), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  bool has(std::string_view field) const {
    return std::any_of(list_.begin(), list_.end(), [&](const auto& e) { return e.field == field; });
  }
  Error to_error(ErrorKind kind) && {
    std::string detail;
    for (const FieldError& e : list_) {
      detail += (detail.empty() ? "" : "; ") + e.field + ": " + e.message;
    }
    Error error = Error::make(kind, std::move(detail));
    error.errors = std::move(list_);
    return error;
  }

 private:
  std::vector<FieldError> list_;
};

// Decodes the UTF-8 sequence at `i` and advances past it; nullopt on malformed input
// (json::value built in code, unlike parsed input, carries no UTF-8 guarantee).
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t extra = b0 < 0x80 ? 0 : (b0 & 0xE0) == 0xC0 ? 1 : (b0 & 0xF0) == 0xE0 ? 2 : 3;
  if ((b0 & 0xC0) == 0x80 || (b0 & 0xF8) == 0xF8 || (extra > 0 && i + extra >= s.size())) {
    return std::nullopt;
  }
  constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  char32_t cp = extra == 0 ? b0 : b0 & (0x3F >> extra);
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

// Unicode White_Space, so that a title of only no-break spaces counts as empty.
bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

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
    if (trim && is_space(*cp)) continue;
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

// Client-chosen names (unknown keys) are echoed back, so keep them short and whole.
std::string echoed_name(std::string_view name) {
  if (name.size() <= kMaxEchoedNameBytes) return std::string(name);
  std::size_t cut = kMaxEchoedNameBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + "...";
}

std::optional<std::string> read_title(const json::value& v, Errors& errors) {
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

std::optional<std::string> read_description(const json::value& v, Errors& errors) {
  if (!v.is_string()) return errors.add("description", "must be a string"), std::nullopt;
  const std::optional<Text> t = scan_text(v.get_string(), false);
  if (!t) return errors.add("description", "must be valid UTF-8"), std::nullopt;
  if (t->code_points > kMaxDescriptionChars) {
    return errors.add("description", chars_message("at most", kMaxDescriptionChars)), std::nullopt;
  }
  return std::string(t->value);
}

// A tag, trimmed; nullopt with `message` set when invalid. Shared with the `tag` filter.
std::optional<std::string> check_tag(std::string_view raw, std::string& message) {
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

std::optional<std::vector<std::string>> read_tags(const json::value& v, Errors& errors) {
  if (!v.is_array()) return errors.add("tags", "must be an array of strings"), std::nullopt;
  std::vector<std::string> tags;
  bool ok = true;
  const json::array& array = v.get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    if (!array[i].is_string()) {
      errors.add(field, "must be a string");
      ok = false;
      continue;
    }
    std::string message;
    std::optional<std::string> tag = check_tag(array[i].get_string(), message);
    if (!tag) {
      errors.add(field, message);
      ok = false;
    } else if (std::find(tags.begin(), tags.end(), *tag) == tags.end()) {
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

std::optional<Priority> read_priority(const json::value& v, Errors& errors) {
  if (!v.is_string()) return errors.add("priority", "must be a string"), std::nullopt;
  const std::optional<Priority> p = parse_priority(v.get_string());
  if (!p) errors.add("priority", "must be one of low, medium, high");
  return p;
}

std::optional<bool> read_bool(const char* field, const json::value& v, Errors& errors) {
  if (!v.is_bool()) return errors.add(field, "must be a boolean"), std::nullopt;
  return v.get_bool();
}

// Outer optional: valid or not; inner: the time or null.
std::optional<std::optional<Millis>> read_time(const char* field, const json::value& v,
                                               Errors& errors) {
  if (v.is_null()) return std::optional<Millis>{};
  if (!v.is_string()) return errors.add(field, "must be a string or null"), std::nullopt;
  const std::optional<Millis> t = parse_rfc3339(v.get_string());
  if (!t) {
    errors.add(field, "must be an RFC 3339 date-time with offset, e.g. 2026-12-01T09:00:00Z");
    return std::nullopt;
  }
  return t;
}

std::optional<std::optional<std::string>> read_recurrence(const json::value& v, Errors& errors) {
  if (v.is_null() || (v.is_string() && v.get_string().empty())) {
    return std::optional<std::string>{};  // "" means "no recurrence", like null
  }
  if (!v.is_string()) return errors.add("recurrence", "must be a string or null"), std::nullopt;
  if (std::optional<std::string> why = rrule_error(v.get_string())) {
    return errors.add("recurrence", std::move(*why)), std::nullopt;
  }
  return std::optional<std::string>(std::string(v.get_string()));
}

std::optional<std::string> read_timezone(const json::value& v, Errors& errors) {
  if (!v.is_string()) return errors.add("timezone", "must be a string"), std::nullopt;
  if (!is_known_timezone(v.get_string())) {
    return errors.add("timezone", "must be a known IANA time zone name, e.g. Europe/Berlin"),
           std::nullopt;
  }
  return std::string(v.get_string());
}

bool is_read_only(std::string_view key) {
  return key == "id" || key == "user_id" || key == "created_at" || key == "updated_at" ||
         key == "completed_at" || key == "version";
}

// Every present key of a task body into `patch`; errors for bad values and unknown keys.
void read_patch(const json::object& body, TaskPatch& patch, Errors& errors) {
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

json::value time_or_null(const std::optional<Millis>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

// `q` -> lower-cased words. Bytes >= 0x80 count as word characters so that non-ASCII
// letters stay inside words (ASCII punctuation and spaces separate them).
void read_search_terms(std::string_view q, TaskQuery& query, Errors& errors) {
  if (q.size() > kMaxQueryBytes) return errors.add("q", "must be at most 200 bytes");
  std::vector<std::string> terms;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && std::find(terms.begin(), terms.end(), word) == terms.end()) {
      terms.push_back(word);
    }
    word.clear();
  };
  for (const char ch : q) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z')
      word += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
      word += ch;
    else
      flush();
  }
  flush();
  if (terms.size() > kMaxSearchTerms) return errors.add("q", "must have at most 10 words");
  for (const std::string& term : terms) {
    if (term.size() > kMaxSearchTermBytes) return errors.add("q", "words must be at most 50 bytes");
  }
  query.search_terms = std::move(terms);
}

// Digits only (no sign, no spaces); stops accumulating once clearly out of range.
std::optional<int> parse_limit(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + (c - '0'), 1'000'000L);
  }
  if (value < 1 || value > kMaxLimit) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<Millis> parse_query_time(std::string value) {
  // An unescaped "+" in a query string decodes to a space; "...T09:00:00 02:00" can only
  // have meant "+02:00", so accept it rather than fail a common client mistake.
  if (value.size() > 6 && value[value.size() - 6] == ' ') value[value.size() - 6] = '+';
  return parse_rfc3339(value);
}

void read_query_param(std::string_view key, const std::string& value, TaskQuery& query,
                      std::optional<std::string>& cursor, Errors& errors) {
  if (key == "status") {
    if (value == "all")
      query.status = StatusFilter::all;
    else if (value == "pending")
      query.status = StatusFilter::pending;
    else if (value == "completed")
      query.status = StatusFilter::completed;
    else
      errors.add("status", "must be one of all, pending, completed");
  } else if (key == "priority") {
    query.priority = parse_priority(value);
    if (!query.priority) errors.add("priority", "must be one of low, medium, high");
  } else if (key == "due_before" || key == "due_after") {
    const std::optional<Millis> t = parse_query_time(value);
    if (!t) errors.add(std::string(key), "must be an RFC 3339 date-time with offset");
    (key == "due_before" ? query.due_before : query.due_after) = t;
  } else if (key == "q") {
    read_search_terms(value, query, errors);
  } else if (key == "sort") {
    const std::optional<SortField> sort = parse_sort_field(value);
    if (!sort) errors.add("sort", "must be one of created_at, updated_at, due_at, priority, title");
    query.sort = sort.value_or(SortField::created_at);
  } else if (key == "order") {
    if (value != "asc" && value != "desc") errors.add("order", "must be asc or desc");
    query.ascending = value == "asc";
  } else if (key == "limit") {
    const std::optional<int> limit = parse_limit(value);
    if (!limit) errors.add("limit", "must be an integer between 1 and 200");
    query.limit = limit.value_or(query.limit);
  } else if (key == "cursor") {
    if (!value.empty()) cursor = value;  // "cursor=" is the first page, like no cursor
  } else {
    errors.add(echoed_name(key), "unknown parameter");
  }
}

}  // namespace

Result<TaskPatch> parse_task_patch(const json::value& body) {
  if (!body.is_object()) {
    return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  }
  TaskPatch patch;
  Errors errors;
  read_patch(body.get_object(), patch, errors);
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::validation);
  return patch;
}

Result<TaskFields> parse_task_fields(const json::value& body) {
  if (!body.is_object()) {
    return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  }
  TaskPatch patch;
  Errors errors;
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

Result<TaskQuery> parse_task_query(const boost::urls::params_view& params) {
  TaskQuery query;
  Errors errors;
  std::optional<std::string> cursor;
  std::set<std::string> seen;
  std::string tag_error;
  for (const boost::urls::param& p : params) {
    if (p.key.empty() && !p.has_value) continue;  // stray "&" separators
    if (p.key == "tag") {
      std::string message;
      std::optional<std::string> tag = check_tag(p.value, message);
      if (!tag)
        tag_error = message;
      else if (std::find(query.tags.begin(), query.tags.end(), *tag) == query.tags.end()) {
        query.tags.push_back(std::move(*tag));
      }
      continue;
    }
    // Every other parameter is single-valued; a repeat is ambiguous, not "last wins".
    if (!seen.insert(p.key).second) {
      errors.add(echoed_name(p.key), "must be given at most once");
      continue;
    }
    read_query_param(p.key, p.value, query, cursor, errors);
  }
  if (!tag_error.empty()) {
    errors.add("tag", tag_error);
  } else if (query.tags.size() > kMaxTags) {
    errors.add("tag", "must be given at most 20 times");
  }
  // A cursor is checked against the final sort and order, so last, and only when those
  // are themselves valid (else every cursor would look "for another sort").
  if (cursor && !errors.has("sort") && !errors.has("order")) {
    Result<Cursor> decoded = decode_cursor(*cursor, query.sort, query.ascending);
    if (decoded) {
      query.after = std::move(*decoded);
    } else {
      for (FieldError& e : decoded.error().errors) errors.add(e.field, e.message);
    }
  }
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::bad_request);
  return query;
}

const char* priority_name(Priority p) {
  switch (p) {
    case Priority::low:
      return "low";
    case Priority::high:
      return "high";
    case Priority::medium:
      break;
  }
  return "medium";
}

std::optional<Priority> parse_priority(std::string_view name) {
  if (name == "low") return Priority::low;
  if (name == "medium") return Priority::medium;
  if (name == "high") return Priority::high;
  return std::nullopt;
}

json::object task_to_json(const Task& task) {
  json::array tags;
  tags.reserve(task.tags.size());
  for (const std::string& tag : task.tags) tags.emplace_back(tag);
  json::object o;
  o.reserve(15);
  o["id"] = task.id;
  o["user_id"] = task.user_id;
  o["title"] = task.title;
  o["description"] = task.description;
  o["completed"] = task.completed;
  o["priority"] = priority_name(task.priority);
  o["tags"] = std::move(tags);
  o["due_at"] = time_or_null(task.due_at);
  o["remind_at"] = time_or_null(task.remind_at);
  o["recurrence"] = task.recurrence ? json::value(*task.recurrence) : json::value(nullptr);
  o["timezone"] = task.timezone;
  o["created_at"] = format_rfc3339(task.created_at);
  o["updated_at"] = format_rfc3339(task.updated_at);
  o["completed_at"] = time_or_null(task.completed_at);
  o["version"] = task.version;
  return o;
}

}  // namespace todo
