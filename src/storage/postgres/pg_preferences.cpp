// PostgreSQL: per-user preferences (storage/preference_store.hpp).
#include "storage/postgres/pg_handle.hpp"
#include "storage/preference_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kFindPreferences =
    "SELECT email_reminders, completion_notices, timezone, updated_at FROM user_preferences "
    "WHERE user_id = $1";
constexpr const char* kPutPreferences =
    "INSERT INTO user_preferences (user_id, email_reminders, completion_notices, timezone, "
    "updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET "
    "email_reminders = $2, completion_notices = $3, timezone = $4, updated_at = $5";
// INSERT ... SELECT from users: nothing for a user that does not exist.
constexpr const char* kUnsubscribe =
    "INSERT INTO user_preferences (user_id, email_reminders, updated_at) "
    "SELECT id, false, $2 FROM users WHERE id = $1 "
    "ON CONFLICT (user_id) DO UPDATE SET email_reminders = false, updated_at = $2";
constexpr const char* kRemoveUserPreferences = "DELETE FROM user_preferences WHERE user_id = $1";

class PgPreferences final : public PreferenceStore {
 public:
  explicit PgPreferences(Handle& db) : db_(db) {}

  std::optional<Preferences> find(std::string_view user_id) override {
    auto r = db_.exec(kFindPreferences, Params().add(user_id));
    if (r.empty()) return std::nullopt;
    Preferences p;
    p.user_id = std::string(user_id);
    p.email_reminders = r.boolean(0, 0);
    p.completion_notices = r.boolean(0, 1);
    p.timezone = r.text(0, 2);
    p.updated_at = r.int64(0, 3);
    return p;
  }

  void put(const Preferences& p) override {
    db_.exec(kPutPreferences, Params()
                                  .add(p.user_id)
                                  .add_bool(p.email_reminders)
                                  .add_bool(p.completion_notices)
                                  .add(p.timezone)
                                  .add(p.updated_at));
  }

  bool unsubscribe_reminders(std::string_view user_id, Millis now) override {
    return db_.exec(kUnsubscribe, Params().add(user_id).add(now)).affected() > 0;
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUserPreferences, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<PreferenceStore> make_preference_store(Handle& handle) {
  return std::make_unique<PgPreferences>(handle);
}

}  // namespace todo::storage::postgres
