// PostgreSQL: in-app notifications (storage/notification_store.hpp).
#include "storage/notification_store.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kNotificationColumns =
    "id, user_id, event_id, kind, task_id, title, due_at, remind_at, created_at, read_at "
    "FROM notifications";
constexpr const char* kInsertNotification =
    "INSERT INTO notifications (user_id, event_id, kind, task_id, title, due_at, remind_at, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
constexpr const char* kUnread =
    "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
constexpr const char* kMarkRead =
    "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE user_id = $2 AND id = $3";
constexpr const char* kMarkAllRead =
    "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
constexpr const char* kRemoveUserNotifications = "DELETE FROM notifications WHERE user_id = $1";

Notification read_notification(const Rows& r, int row) {
  Notification n;
  n.id = r.int64(row, 0);
  n.user_id = r.text(row, 1);
  n.event_id = r.text(row, 2);
  n.kind = r.text(row, 3);
  n.task_id = r.opt_int64(row, 4);
  n.title = r.text(row, 5);
  n.due_at = r.opt_int64(row, 6);
  n.remind_at = r.opt_int64(row, 7);
  n.created_at = r.int64(row, 8);
  n.read_at = r.opt_int64(row, 9);
  return n;
}

class PgNotifications final : public NotificationStore {
 public:
  explicit PgNotifications(Handle& db) : db_(db) {}

  std::int64_t insert(const Notification& n) override {
    auto r = db_.exec(kInsertNotification, Params()
                                               .add(n.user_id)
                                               .add(n.event_id)
                                               .add(n.kind)
                                               .add(n.task_id)
                                               .add(n.title)
                                               .add(n.due_at)
                                               .add(n.remind_at)
                                               .add(n.created_at));
    return r.int64(0, 0);
  }

  NotificationPage list(std::string_view user_id, bool unread_only,
                        std::optional<std::int64_t> before_id, int limit) override {
    std::string sql = std::string("SELECT ") + kNotificationColumns + " WHERE user_id = $1";
    Params p;
    p.add(user_id);
    if (unread_only) sql += " AND read_at IS NULL";
    if (before_id) {
      p.add(*before_id);
      sql += " AND id < $" + std::to_string(p.size());
    }
    p.add(std::int64_t(limit) + 1);
    sql += " ORDER BY id DESC LIMIT $" + std::to_string(p.size());
    auto r = db_.exec(sql, p);
    NotificationPage page;
    for (int i = 0; i < r.size(); ++i) page.items.push_back(read_notification(r, i));
    if (int(page.items.size()) > limit) {
      page.items.pop_back();
      page.next_before_id = page.items.back().id;
    }
    page.unread = db_.exec(kUnread, Params().add(user_id)).int64(0, 0);
    return page;
  }

  std::optional<Notification> find(std::string_view user_id, std::int64_t id) override {
    auto r =
        db_.exec(std::string("SELECT ") + kNotificationColumns + " WHERE user_id = $1 AND id = $2",
                 Params().add(user_id).add(id));
    if (r.empty()) return std::nullopt;
    return read_notification(r, 0);
  }

  bool mark_read(std::string_view user_id, std::int64_t id, Millis now) override {
    return db_.exec(kMarkRead, Params().add(now).add(user_id).add(id)).affected() > 0;
  }

  std::int64_t mark_all_read(std::string_view user_id, Millis now) override {
    return db_.exec(kMarkAllRead, Params().add(now).add(user_id)).affected();
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUserNotifications, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<NotificationStore> make_notification_store(Handle& handle) {
  return std::make_unique<PgNotifications>(handle);
}

}  // namespace todo::storage::postgres
