#pragma once
// GET /api/{user_id}/audit query string -> storage::AuditQuery, and its cursors. Pure.
#include <boost/url/params_view.hpp>
#include <string>

#include "core/error.hpp"
#include "storage/audit_store.hpp"

namespace todo::audit {

// event_type (repeatable: created|updated|completed|deleted), task_id, from (inclusive),
// to (exclusive), limit 1..200 (default 50), cursor. Errors are bad_request naming the
// parameter.
Result<storage::AuditQuery> parse_audit_query(const boost::urls::params_view& params);

std::string encode_audit_cursor(std::int64_t before_id);
std::optional<std::int64_t> decode_audit_cursor(std::string_view cursor);

}  // namespace todo::audit
