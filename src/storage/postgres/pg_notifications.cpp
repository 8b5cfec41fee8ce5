// PostgreSQL: in-app notifications (storage/notification_store.hpp).
#include "storage/postgres/pg_notifications.hpp"

#include <algorithm>

namespace todo::storage::postgres {
namespace {

constexpr const char* kNotificationColumns =
    "id, user_id, event_id, kind, task_id, title, due_at, remind_at, created_at, read_at "
    "FROM notifications";
constexpr const char* kInsertNotification =
    "INSERT INTO notifications (user_id, event_id, kind, task_id, title, due_at, remind_at, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
// The columns in kNotificationColumns' order, then the count (kUnreadColumn).
constexpr const char* kPageColumns =
    "SELECT n.id, n.user_id, n.event_id, n.kind, n.task_id, n.title, n.due_at, n.remind_at, "
    "n.created_at, n.read_at, c.unread "
    "FROM (SELECT COUNT(*) AS unread FROM notifications "
    "WHERE user_id = $1 AND read_at IS NULL) AS c LEFT JOIN LATERAL (SELECT ";
constexpr int kUnreadColumn = 10;
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

  NotificationPage list(std::string_view user_id, const NotificationQuery& q) override {
    const Statement statement = notification_page_statement(user_id, q);
    return read_notification_page(db_.exec(statement.sql, statement.params), q);
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

Statement notification_page_statement(std::string_view user_id, const NotificationQuery& q) {
  // The count and the page in one statement: one round trip, one snapshot (a LATERAL join on
  // the count's single row, LEFT so that an empty page still brings the count).
  Statement s{std::string(kPageColumns) + kNotificationColumns + " WHERE user_id = $1", {}};
  s.params.add(user_id);
  if (q.unread_only) s.sql += " AND read_at IS NULL";
  if (q.before_id) {
    s.params.add(*q.before_id);
    s.sql += " AND id < $" + std::to_string(s.params.size());
  }
  s.params.add(std::int64_t(std::max(q.limit, 0)) + 1);
  s.sql += " ORDER BY id DESC LIMIT $" + std::to_string(s.params.size()) +
           ") AS n ON true ORDER BY n.id DESC";
  return s;
}

NotificationPage read_notification_page(const Rows& rows, const NotificationQuery& q) {
  if (rows.empty()) {
    DbError e("notifications page: the statement returned no row");
    e.transient = false;
    throw e;
  }
  NotificationPage page;
  page.unread = rows.int64(0, kUnreadColumn);
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.is_null(i, 0)) continue;  // the empty page's row: the count only
    if (int(page.items.size()) >= q.limit) {
      if (!page.items.empty()) page.next_before_id = page.items.back().id;
      break;
    }
    page.items.push_back(read_notification(rows, i));
  }
  return page;
}

std::unique_ptr<NotificationStore> make_notification_store(Handle& handle) {
  return std::make_unique<PgNotifications>(handle);
}

}  // namespace todo::storage::postgres
