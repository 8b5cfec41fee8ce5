#include "tasks/task_query.hpp"

#include <algorithm>
#include <boost/url/param.hpp>
#include <set>

#include "core/field_errors.hpp"
#include "core/text_fold.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "tasks/cursor.hpp"
#include "tasks/task_json.hpp"
#include "tasks/task_search.hpp"
#include "tasks/task_validation.hpp"

namespace todo {
namespace {

constexpr std::size_t kMaxQueryBytes = 200;
constexpr std::size_t kMaxSearchTerms = 10;
constexpr std::size_t kMaxSearchTermChars = 50;
constexpr int kMaxLimit = 200;

// `q` -> the needles of tasks/task_search.hpp (folded words; the matching rule is there).
// Sizes are checked on the raw text first, so folding never runs on more than 200 bytes.
void read_search_terms(std::string_view q, TaskQuery& query, FieldErrors& errors) {
  if (q.size() > kMaxQueryBytes) return errors.add("q", "must be at most 200 bytes");
  if (!decode_utf8(q)) return errors.add("q", "must be valid UTF-8");
  std::vector<std::string> needles = search_needles(q);
  if (needles.size() > kMaxSearchTerms) return errors.add("q", "must have at most 10 words");
  for (const std::string& needle : needles) {
    // A needle is a folded word, with a leading space when it must start a word.
    if (code_points(needle) > kMaxSearchTermChars + (needle.front() == ' ' ? 1 : 0))
      return errors.add("q", "words must be at most 50 characters");
  }
  query.search_terms = std::move(needles);
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
                      std::optional<bool>& ascending, std::optional<std::string>& cursor,
                      FieldErrors& errors) {
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
    ascending = value == "asc";
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

Result<TaskQuery> parse_task_query(const boost::urls::params_view& params) {
  TaskQuery query;
  FieldErrors errors;
  std::optional<std::string> cursor;
  std::optional<bool> ascending;  // from `order`; absent: the cursor's, else the sort's default
  std::set<std::string> seen;
  std::string tag_error;
  for (const boost::urls::param& p : params) {
    if (p.key.empty() && !p.has_value) continue;  // stray "&" separators
    if (p.key == "tag") {
      std::string message;
      std::optional<std::string> tag = normalize_tag(p.value, message);
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
    read_query_param(p.key, p.value, query, ascending, cursor, errors);
  }
  if (!tag_error.empty()) {
    errors.add("tag", tag_error);
  } else if (query.tags.size() > kMaxTags) {
    errors.add("tag", "must be given at most 20 times");
  }
  // A cursor is checked against the final sort and order, so last, and only when those
  // are themselves valid (else every cursor would look "for another sort"). Without `order`
  // the cursor's own order continues, so cursors issued before the per-sort default
  // directions (when every sort defaulted to desc) still walk on.
  query.ascending = ascending.value_or(default_ascending(query.sort));
  if (cursor && !errors.has("sort") && !errors.has("order")) {
    Result<Cursor> decoded = decode_cursor(*cursor, query.sort, ascending);
    if (decoded) {
      query.ascending = decoded->ascending;
      query.after = std::move(*decoded);
    } else {
      for (FieldError& e : decoded.error().errors) errors.add(e.field, e.message);
    }
  }
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::bad_request);
  return query;
}

}  // namespace todo
