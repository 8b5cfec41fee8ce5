#pragma once
// Duplicate member names in JSON text. Boost.JSON's parser keeps only the last of
// duplicate names (RFC 8259 §4 leaves the behaviour open), which lets two readers of one
// document disagree about its content; formats that must not be ambiguous (JWT headers
// and claims, RFC 7515 §5.2, RFC 7519 §4) reject such documents instead.
#include <string_view>

namespace todo {

// True when some object in `json` (at any depth) names a member twice, comparing names
// after unescaping ("a" and "\u0061" are the same name). False for documents without
// duplicates and for text that is not JSON at all (the caller's parser reports that).
bool has_duplicate_member(std::string_view json);

}  // namespace todo
