#pragma once
// The task page read of pg_tasks.cpp as a statement and a decoder, for the two ways it runs:
// PgTasks::list on a reader thread's connection (Handle::exec) and the pipelined reads on the
// I/O threads (pg_pipeline.hpp), which send the same statement without a database thread.
#include <string>
#include <string_view>

#include "storage/postgres/pg_handle.hpp"
#include "storage/task_store.hpp"

namespace todo::storage::postgres {

struct Statement {
  std::string sql;
  Params params;
};

// SELECT of one page of `user_id`'s tasks matching `q` (filters, sort, keyset cursor), limit + 1
// rows (the extra one tells whether a next page exists). Its columns are to be asked for in
// ResultFormat::binary. The SQL text depends only on which filters are present.
Statement task_page_statement(std::string_view user_id, const TaskQuery& q);

// The page of a result of task_page_statement(…, q): at most q.limit tasks, and the cursor of
// the next page when the result held one row more. Throws DbError (not transient) for a value
// of an unexpected type or a malformed array.
TaskPage read_task_page(const Rows& rows, const TaskQuery& q);

}  // namespace todo::storage::postgres
