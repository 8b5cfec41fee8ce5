#pragma once
// The task reads of pg_tasks.cpp (a page, one task) as statements and decoders, for the two
// ways they run:
// PgTasks::list on a reader thread's connection (Handle::exec) and the pipelined reads on the
// I/O threads (pg_pipeline.hpp), which send the same statement without a database thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/postgres/pg_handle.hpp"
#include "storage/task_store.hpp"

namespace todo::storage::postgres {

// SELECT of one page of `user_id`'s tasks matching `q` (filters, sort, keyset cursor), limit + 1
// rows (the extra one tells whether a next page exists). Its columns are to be asked for in
// ResultFormat::binary. The SQL text depends only on which filters are present.
Statement task_page_statement(std::string_view user_id, const TaskQuery& q);

// The page of a result of task_page_statement(…, q): at most q.limit tasks, and the cursor of
// the next page when the result held one row more. Throws DbError (not transient) for a value
// of an unexpected type or a malformed array.
TaskPage read_task_page(const Rows& rows, const TaskQuery& q);

// SELECT of `user_id`'s task `id` (none when it is another user's), columns in
// ResultFormat::binary.
Statement task_statement(std::string_view user_id, std::int64_t id);

// The task of a result of task_statement, nullopt when it had no row. Throws DbError as
// read_task_page does.
std::optional<Task> read_found_task(const Rows& rows);

}  // namespace todo::storage::postgres
