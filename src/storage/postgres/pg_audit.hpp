#pragma once
// The audit query's statement on PostgreSQL and the decoding of its rows, shared by
// AuditStore::list and the pipelined reads (pg_pipeline.hpp), and exposed so that a test can
// EXPLAIN exactly what the store runs (partition pruning:
// tests/storage/audit_partition_storage_test.cpp).
#include <string>
#include <string_view>
#include <utility>

#include "storage/audit_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {

// The SELECT of AuditStore::list for `user_id` and `query` (limit + 1 rows, newest first)
// and its parameters. A `from` / `to` range appears as conditions on `timestamp`, the
// partition key, so PostgreSQL reads only the partitions of those days (and the default).
std::pair<std::string, Params> audit_list_statement(std::string_view user_id,
                                                    const AuditQuery& query);

// The page of `query` from the rows of its statement (text format): at most query.limit
// records, next_before_id set when the statement found one more. Throws DbError on a row of
// another shape.
AuditPage read_audit_page(const Rows& rows, const AuditQuery& query);

}  // namespace todo::storage::postgres
