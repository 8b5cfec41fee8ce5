#pragma once
// Account deletion through every feature store (issue 14, item 2). A feature that keeps rows
// per user adds its store's removal to erase_user_data (storage/user_data.cpp), in an order
// that deletes rows before the rows they refer to; nothing else needs to know its tables.
//
// What is deliberately kept:
//   - pending outbox rows: events committed before the deletion still reach their
//     subscribers (the audit trail among them);
//   - audit_log rows: the trail is kept as long as the retention setting says
//     (TODO_AUDIT_RETENTION), then the retention job removes them like any other;
//   - processed_events rows: consumer bookkeeping by event id, purged by age;
//   - the session revocations (revoked_tokens, session_cutoffs): every process must keep
//     refusing the account's tokens until they expire.
#include <string_view>

#include "storage/tx.hpp"

namespace todo::storage {

// Inside the deleting transaction, after users(tx).lock_for_delete(user_id): removes every
// row that belongs to the account, the users row last. Returns false when the account was
// already gone. Throws DbError like any store call.
bool erase_user_data(Tx& tx, std::string_view user_id);

}  // namespace todo::storage
