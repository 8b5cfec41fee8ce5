#pragma once
// The preferences document of GET/PUT /api/{user_id}/preferences (pure, unit-tested):
//   {"email_reminders": bool, "completion_notices": bool, "timezone": "<IANA name>",
//    "updated_at": RFC 3339 | null}
// PUT replaces the whole object: the three fields are required; `updated_at` may be sent
// back as read and is ignored.
#include <boost/json/value.hpp>
#include <string>

#include "core/error.hpp"
#include "storage/preference_store.hpp"

namespace todo::email {

// The body of a PUT as the user's preferences (user_id and updated_at left unset). Errors:
// 400 (ErrorKind::bad_request) naming each unknown field — a misspelt field must not be
// dropped silently; else 422 (validation) naming each missing or bad field (booleans; a
// timezone libical knows, as tasks validate theirs).
Result<storage::Preferences> parse_preferences(const boost::json::value& body);

// The JSON document of `p` (updated_at null when p.updated_at is 0: the defaults).
std::string preferences_json(const storage::Preferences& p);

}  // namespace todo::email
