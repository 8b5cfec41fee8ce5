#pragma once
// The key of a user's outbox lock on PostgreSQL, exposed so that a test can hold it as a
// writer between its outbox INSERT and its COMMIT does (tests/storage/outbox_storage_test.cpp).
#include <cstdint>
#include <string_view>

namespace todo::storage::postgres {

// A stable 64-bit key per user for pg_advisory_xact_lock (FNV-1a of the user id: the same in
// every process and build, so replicas agree on it). Held by a transaction from just before
// its outbox rows are inserted until it ends (pg_outbox.cpp flush), taken and dropped by
// OutboxStore::settle. Two users sharing a key only wait for each other a little.
std::int64_t outbox_user_lock_key(std::string_view user_id);

}  // namespace todo::storage::postgres
