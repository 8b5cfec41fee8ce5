// SQLite: in-app notifications (storage/notification_store.hpp).
#include "storage/notification_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kNotificationColumns =
    "id, user_id, event_id, kind, task_id, title, due_at, remind_at, created_at, read_at "
    "FROM notifications";
constexpr const char* kInsertNotification =
    "INSERT INTO notifications (user_id, event_id, kind, task_id, title, due_at, remind_at, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kUnread =
    "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL";
constexpr const char* kMarkRead =
    "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE user_id = ? AND id = ?";
constexpr const char* kMarkAllRead =
    "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL";
constexpr const char* kRemoveUserNotifications = "DELETE FROM notifications WHERE user_id = ?";

Notification read_notification(const Statement& s) {
  Notification n;
  n.id = s.int64(0);
  n.user_id = s.text(1);
  n.event_id = s.text(2);
  n.kind = s.text(3);
  n.task_id = s.opt_int64(4);
  n.title = s.text(5);
  n.due_at = s.opt_int64(6);
  n.remind_at = s.opt_int64(7);
  n.created_at = s.int64(8);
  n.read_at = s.opt_int64(9);
  return n;
}

class SqliteNotifications final : public NotificationStore {
 public:
  explicit SqliteNotifications(Handle& db) : db_(db) {}

  std::int64_t insert(const Notification& n) override {
    auto s = db_.prepare(kInsertNotification);
    s.bind(1, n.user_id).bind(2, n.event_id).bind(3, n.kind).bind(4, n.task_id);
    s.bind(5, n.title).bind(6, n.due_at).bind(7, n.remind_at).bind(8, n.created_at).run();
    return db_.last_insert_rowid();
  }

  // Two statements, one snapshot: the caller's transaction (SQLite reads are local calls, so
  // the second costs no round trip).
  NotificationPage list(std::string_view user_id, const NotificationQuery& q) override {
    NotificationPage page;
    if (q.limit >= 1) {
      std::string sql = std::string("SELECT ") + kNotificationColumns + " WHERE user_id = ?";
      if (q.unread_only) sql += " AND read_at IS NULL";
      if (q.before_id) sql += " AND id < ?";
      sql += " ORDER BY id DESC LIMIT ?";
      auto s = db_.prepare(sql);
      int i = 1;
      s.bind(i++, user_id);
      if (q.before_id) s.bind(i++, *q.before_id);
      s.bind(i++, std::int64_t(q.limit) + 1);
      while (s.step()) page.items.push_back(read_notification(s));
      if (int(page.items.size()) > q.limit) {
        page.items.pop_back();
        page.next_before_id = page.items.back().id;
      }
    }
    auto c = db_.prepare(kUnread);
    c.bind(1, user_id);
    if (c.step()) page.unread = c.int64(0);
    return page;
  }

  std::optional<Notification> find(std::string_view user_id, std::int64_t id) override {
    auto s = db_.prepare(std::string("SELECT ") + kNotificationColumns +
                         " WHERE user_id = ? AND id = ?");
    s.bind(1, user_id).bind(2, id);
    if (!s.step()) return std::nullopt;
    return read_notification(s);
  }

  bool mark_read(std::string_view user_id, std::int64_t id, Millis now) override {
    db_.prepare(kMarkRead).bind(1, now).bind(2, user_id).bind(3, id).run();
    return db_.changes() > 0;
  }

  std::int64_t mark_all_read(std::string_view user_id, Millis now) override {
    db_.prepare(kMarkAllRead).bind(1, now).bind(2, user_id).run();
    return db_.changes();
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserNotifications).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<NotificationStore> make_notification_store(Handle& handle) {
  return std::make_unique<SqliteNotifications>(handle);
}

}  // namespace todo::storage::sqlite
