#pragma once
// Per-user preferences (table `user_preferences`, migration 011): e-mail reminders, completion
// notices and the user's time zone. A user without a row has the defaults of Preferences.
// Every method is keyed by user_id. SQL: storage/sqlite/sqlite_preferences.cpp,
// storage/postgres/pg_preferences.cpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

struct Preferences {
  std::string user_id;
  bool email_reminders = true;
  bool completion_notices = false;
  std::string timezone = "UTC";  // IANA name, validated by the caller
  Millis updated_at = 0;         // 0: never saved (the defaults)
};

class PreferenceStore : public Store {
 public:
  static std::unique_ptr<PreferenceStore> make(Tx& tx);
  // The user's saved preferences, or nullopt (the caller uses the defaults).
  virtual std::optional<Preferences> find(std::string_view user_id) = 0;
  // Inserts or replaces the row of p.user_id. A user deleted meanwhile throws DbError with
  // missing_reference (the row refers to users).
  virtual void put(const Preferences& p) = 0;
  // Sets email_reminders off (keeping the other fields, or the defaults when there was no
  // row); the one-click unsubscribe. False when the user does not exist.
  virtual bool unsubscribe_reminders(std::string_view user_id, Millis now) = 0;
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<PreferenceStore> make_preference_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<PreferenceStore> make_preference_store(Handle& handle);
}
inline std::unique_ptr<PreferenceStore> PreferenceStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_preference_store(*tx.sqlite())
                     : postgres::make_preference_store(*tx.postgres());
}

inline PreferenceStore& preferences(Tx& tx) {
  return tx.get<PreferenceStore>();
}

// The user's preferences, the defaults when none were saved.
inline Preferences preferences_or_defaults(Tx& tx, std::string_view user_id) {
  if (auto p = preferences(tx).find(user_id)) return std::move(*p);
  Preferences defaults;
  defaults.user_id = std::string(user_id);
  return defaults;
}

}  // namespace todo::storage
