// Keyset cursors of the task list (`cursor` of GET /api/{user_id}/tasks, tasks/cursor.hpp)
// and the id cursors of the other pages (http/id_paging.hpp, audit/audit_query.hpp).
// Invariants: a cursor decoded under a sort is for that sort and order, with a positive id;
// encoding it again gives a cursor that decodes to the same position; a refusal is a 400.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_query.hpp"
#include "fuzz_support.hpp"
#include "http/id_paging.hpp"
#include "tasks/cursor.hpp"
#include "tasks/task_search.hpp"

using namespace todo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  constexpr std::array kSorts = {SortField::created_at, SortField::updated_at, SortField::due_at,
                                 SortField::priority, SortField::title};
  const std::array<std::optional<bool>, 3> kOrders = {std::nullopt, true, false};
  for (SortField sort : kSorts) {
    for (auto ascending : kOrders) {
      Result<Cursor> cursor = decode_cursor(text, sort, ascending);
      if (!cursor) {
        FUZZ_CHECK(cursor.error().kind == ErrorKind::bad_request);
        FUZZ_CHECK(!cursor.error().errors.empty() && cursor.error().errors[0].field == "cursor");
        continue;
      }
      FUZZ_CHECK(cursor->sort == sort && cursor->id > 0);
      FUZZ_CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789-_") == std::string_view::npos);
      if (ascending) FUZZ_CHECK(cursor->ascending == *ascending);
      FUZZ_CHECK((sort == SortField::title) == std::holds_alternative<std::string>(cursor->key));
      if (const auto* key = std::get_if<std::string>(&cursor->key))
        FUZZ_CHECK(title_sort_key(*key) == *key);  // already a folded key
      Result<Cursor> again = decode_cursor(encode_cursor(*cursor), sort, cursor->ascending);
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(again->key == cursor->key && again->id == cursor->id &&
                 again->ascending == cursor->ascending);
    }
  }

  // Id cursors (webhook deliveries, tokens...): a positive int64 or nothing.
  if (auto id = http::parse_positive_id(text)) {
    // Digits only (leading zeros are accepted, as parse_task_id accepts them in paths).
    FUZZ_CHECK(*id > 0 && text.find_first_not_of("0123456789") == std::string_view::npos);
    FUZZ_CHECK(http::parse_positive_id(std::to_string(*id)) == id);
  }
  http::IdPage page;
  std::vector<FieldError> errors;
  for (std::string_view key : {"cursor", "limit"}) {
    FUZZ_CHECK(http::read_id_page_param(key, text, page, errors));
  }
  FUZZ_CHECK(page.limit >= 1 && page.limit <= 200);
  if (page.before_id) FUZZ_CHECK(*page.before_id > 0);
  if (!errors.empty()) FUZZ_CHECK(fuzz::is_client_error(http::query_error(errors)));

  if (auto before = audit::decode_audit_cursor(text)) {
    FUZZ_CHECK(audit::decode_audit_cursor(audit::encode_audit_cursor(*before)) == before);
  }
  return 0;
}
