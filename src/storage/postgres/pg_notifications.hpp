#pragma once
// The notifications page on PostgreSQL as one statement and its decoder, shared by
// NotificationStore::list (pg_notifications.cpp) and the pipelined reads on the I/O threads
// (pg_pipeline.hpp), which send the same SELECT without a database thread.
#include <string_view>

#include "storage/notification_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {

// One SELECT giving the page of `q` for `user_id` (newest first, limit + 1 rows: the extra one
// tells whether a next page exists) and, on every row, the user's unread count, both from one
// snapshot. It always returns at least one row: on an empty page, one whose notification
// columns are NULL and whose count is set. Columns in ResultFormat::text.
Statement notification_page_statement(std::string_view user_id, const NotificationQuery& q);

// The page of a result of notification_page_statement(…, q): at most q.limit items (none when
// q.limit < 1), next_before_id when the result held one more, and the unread count. Throws
// DbError (not transient) on a result of another shape (no row, a non-integer count).
NotificationPage read_notification_page(const Rows& rows, const NotificationQuery& q);

}  // namespace todo::storage::postgres
