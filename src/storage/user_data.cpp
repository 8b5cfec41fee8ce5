#include "storage/user_data.hpp"

#include "storage/access_token_store.hpp"
#include "storage/chat_store.hpp"
#include "storage/email_store.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/notification_store.hpp"
#include "storage/preference_store.hpp"
#include "storage/recurrence_store.hpp"
#include "storage/reminder_store.hpp"
#include "storage/session_store.hpp"
#include "storage/stream_store.hpp"
#include "storage/task_store.hpp"
#include "storage/user_store.hpp"
#include "storage/webhook_store.hpp"

namespace todo::storage {

bool erase_user_data(Tx& tx, std::string_view user_id) {
  // Each feature's rows of the user. Later features (notifications, access tokens,
  // conversations, webhooks, preferences) add their store's line here.
  idempotency_keys(tx).remove_all(user_id);
  tasks(tx).remove_all(user_id);
  recurrence(tx).remove_user(user_id);
  reminders(tx).remove_user(user_id);
  notifications(tx).remove_user(user_id);
  sessions(tx).remove_user(user_id);
  preferences(tx).remove_user(user_id);
  email_outbox(tx).remove_user(user_id);
  webhooks(tx).remove_user(user_id);
  stream(tx).remove_user(user_id);
  access_tokens(tx).remove_user(user_id);
  chat(tx).remove_user(user_id);
  // Last: the rows above refer to it.
  return users(tx).remove(user_id);
}

}  // namespace todo::storage
