#pragma once
// In-app notifications (table `notifications`, migration 009), newest first by id. Every
// method filters by user_id. SQL: storage/sqlite/sqlite_notifications.cpp,
// storage/postgres/pg_notifications.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct Notification {
  std::int64_t id = 0;
  std::string user_id;
  std::string event_id;  // the reminders event it came with
  std::string kind;      // "reminder"
  std::optional<std::int64_t> task_id;
  std::string title;
  std::optional<Millis> due_at;
  std::optional<Millis> remind_at;
  Millis created_at = 0;
  std::optional<Millis> read_at;
};

struct NotificationPage {
  std::vector<Notification> items;
  std::optional<std::int64_t> next_before_id;  // set when more items follow
  std::int64_t unread = 0;                     // the user's unread notifications, all pages
};

// Which page of a user's notifications to read (NotificationStore::list).
struct NotificationQuery {
  bool unread_only = false;               // only those with read_at unset
  std::optional<std::int64_t> before_id;  // only ids below it (the previous page's last id)
  int limit = 50;                         // at most this many; an empty page when below 1
};

class NotificationStore : public Store {
 public:
  static std::unique_ptr<NotificationStore> make(Tx& tx);
  // Stores `n` (id ignored) and returns its id.
  virtual std::int64_t insert(const Notification& n) = 0;
  // The page of `q` of the user's notifications, newest first, with the user's unread count
  // (all pages) read in the same snapshot; next_before_id set when more items follow.
  virtual NotificationPage list(std::string_view user_id, const NotificationQuery& q) = 0;
  virtual std::optional<Notification> find(std::string_view user_id, std::int64_t id) = 0;
  // Sets read_at = now when unread; false when the user has no such notification.
  virtual bool mark_read(std::string_view user_id, std::int64_t id, Millis now) = 0;
  // Returns how many were unread.
  virtual std::int64_t mark_all_read(std::string_view user_id, Millis now) = 0;
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<NotificationStore> make_notification_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<NotificationStore> make_notification_store(Handle& handle);
}
inline std::unique_ptr<NotificationStore> NotificationStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_notification_store(*tx.sqlite())
                     : postgres::make_notification_store(*tx.postgres());
}

inline NotificationStore& notifications(Tx& tx) {
  return tx.get<NotificationStore>();
}

}  // namespace todo::storage
