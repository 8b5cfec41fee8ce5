// SQLite: per-user preferences (storage/preference_store.hpp).
#include "storage/preference_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kFindPreferences =
    "SELECT email_reminders, completion_notices, timezone, updated_at FROM user_preferences "
    "WHERE user_id = ?";
constexpr const char* kPutPreferences =
    "INSERT INTO user_preferences (user_id, email_reminders, completion_notices, timezone, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET "
    "email_reminders = ?2, completion_notices = ?3, timezone = ?4, updated_at = ?5";
// INSERT ... SELECT from users: nothing for a user that does not exist (the WHERE also keeps
// SQLite's parser from reading ON CONFLICT as a join constraint).
constexpr const char* kUnsubscribe =
    "INSERT INTO user_preferences (user_id, email_reminders, updated_at) "
    "SELECT id, 0, ?2 FROM users WHERE id = ?1 "
    "ON CONFLICT (user_id) DO UPDATE SET email_reminders = 0, updated_at = ?2";
constexpr const char* kRemoveUserPreferences = "DELETE FROM user_preferences WHERE user_id = ?";

class SqlitePreferences final : public PreferenceStore {
 public:
  explicit SqlitePreferences(Handle& db) : db_(db) {}

  std::optional<Preferences> find(std::string_view user_id) override {
    auto s = db_.prepare(kFindPreferences);
    s.bind(1, user_id);
    if (!s.step()) return std::nullopt;
    Preferences p;
    p.user_id = std::string(user_id);
    p.email_reminders = s.int64(0) != 0;
    p.completion_notices = s.int64(1) != 0;
    p.timezone = s.text(2);
    p.updated_at = s.int64(3);
    return p;
  }

  void put(const Preferences& p) override {
    db_.prepare(kPutPreferences)
        .bind(1, p.user_id)
        .bind(2, std::int64_t(p.email_reminders))
        .bind(3, std::int64_t(p.completion_notices))
        .bind(4, p.timezone)
        .bind(5, p.updated_at)
        .run();
  }

  bool unsubscribe_reminders(std::string_view user_id, Millis now) override {
    db_.prepare(kUnsubscribe).bind(1, user_id).bind(2, now).run();
    return db_.changes() > 0;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserPreferences).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<PreferenceStore> make_preference_store(Handle& handle) {
  return std::make_unique<SqlitePreferences>(handle);
}

}  // namespace todo::storage::sqlite
