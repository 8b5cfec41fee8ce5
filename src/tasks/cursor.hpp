#pragma once
// Opaque pagination cursors: base64url of a small JSON document. A cursor that does not
// decode, or that was made for another sort/order than the request's, is rejected
// (400 naming "cursor").
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

std::string encode_cursor(const Cursor& cursor);
Result<Cursor> decode_cursor(std::string_view text, SortField sort, bool ascending);

}  // namespace todo
