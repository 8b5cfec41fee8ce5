// Query strings of the list routes: GET /api/{user_id}/tasks (tasks/task_query.hpp: filters,
// search, sort, cursor) and GET /api/{user_id}/audit (audit/audit_query.hpp), read from the
// request target as the server parses it (http/request_rules.hpp parse_target).
// Input: the query string. Invariants: a refusal is a 400 naming the parameter (or a 422); an
// accepted query has its limit in 1..200, at most 20 normalized tags, a cursor for the
// query's own sort and order, due_after/due_before and from/to as given, known event types.
#include <string>

#include "audit/audit_query.hpp"
#include "fuzz_support.hpp"
#include "http/request_rules.hpp"
#include "tasks/task_query.hpp"
#include "tasks/task_validation.hpp"

using namespace todo;

namespace {

void check_refusal(const Error& e) {
  FUZZ_CHECK(e.kind == ErrorKind::bad_request || e.kind == ErrorKind::validation);
  FUZZ_CHECK(!e.errors.empty());
  // (A field may be "": a parameter with an empty name, "?=1", is named as it was sent.)
  for (const auto& f : e.errors) FUZZ_CHECK(!f.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string target = "/api/u/tasks?";
  target.append(fuzz::as_text(data, size));
  auto url = http::parse_target(target);
  if (!url) {
    FUZZ_CHECK(fuzz::is_client_error(url.error()));
    return 0;
  }
  Result<TaskQuery> query = parse_task_query(url->params());
  if (!query) {
    check_refusal(query.error());
  } else {
    FUZZ_CHECK(query->limit >= 1 && query->limit <= 200);
    FUZZ_CHECK(query->tags.size() <= kMaxTags);
    for (const auto& tag : query->tags) {
      std::string message;
      FUZZ_CHECK(normalize_tag(tag, message) == tag);
    }
    if (query->after) {
      FUZZ_CHECK(query->after->sort == query->sort && query->after->ascending == query->ascending);
      FUZZ_CHECK(query->after->id > 0);
    }
    for (const auto& term : query->search_terms) FUZZ_CHECK(!term.empty());
  }

  Result<storage::AuditQuery> audit = audit::parse_audit_query(url->params());
  if (!audit) {
    check_refusal(audit.error());
  } else {
    FUZZ_CHECK(audit->limit >= 1 && audit->limit <= 200);
    if (audit->task_id) FUZZ_CHECK(*audit->task_id > 0);
    if (audit->before_id) FUZZ_CHECK(*audit->before_id > 0);
    for (const auto& t : audit->event_types)
      FUZZ_CHECK(t == "created" || t == "updated" || t == "completed" || t == "deleted");
  }
  return 0;
}
