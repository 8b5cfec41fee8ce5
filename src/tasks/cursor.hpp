#pragma once
// Opaque pagination cursors: base64url of a small JSON document {s: sort, o: "a"|"d",
// k: key, i: id}. A cursor that does not decode, or that was made for another sort (or,
// when the request names one, another order) than the request's, is rejected (400 naming
// "cursor").
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

std::string encode_cursor(const Cursor& cursor);
// `ascending` is the request's explicit order; nullopt takes the cursor's. A title key is
// passed through title_sort_key, so cursors issued when titles sorted by their raw bytes
// continue at the folded position of that title.
Result<Cursor> decode_cursor(std::string_view text, SortField sort, std::optional<bool> ascending);

}  // namespace todo
