#pragma once
// In-app notifications as JSON (GET /api/{user_id}/notifications and the routes beside it):
// {id, kind, task_id, title, due_at, remind_at, created_at, read_at, read}, times RFC 3339 UTC.
#include <string>

#include "storage/notification_store.hpp"

namespace todo::reminders {

void append_notification_json(std::string& out, const storage::Notification& n);

// {items, next_cursor, unread_count}; the cursor is the id to continue below, as a string.
std::string notification_page_json(const storage::NotificationPage& page);

}  // namespace todo::reminders
