#pragma once
// Users: accounts and their password hashes (table `users`).
// SQL: storage/sqlite/sqlite_users.cpp, storage/postgres/pg_users.cpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

class UserStore : public Store {
 public:
  static std::unique_ptr<UserStore> make(Tx& tx);
  // False (and nothing written) when the e-mail is taken.
  virtual bool insert(const User& user, std::string_view password_hash) = 0;
  virtual std::optional<UserCredentials> find_by_email(std::string_view email) = 0;
  virtual std::optional<User> find_by_id(std::string_view id) = 0;
  virtual std::optional<UserCredentials> find_credentials(std::string_view id) = 0;

  // For the account routes (auth/account_routes.cpp), which verify a password outside the
  // transaction (Argon2 runs on the CPU pool) and then write only if it is still the same:
  // The user's password hash, the row locked against a password change and a deletion until
  // the transaction ends (PostgreSQL FOR SHARE; SQLite's one writer excludes them anyway);
  // nullopt when the user is gone.
  virtual std::optional<std::string> lock_password_hash(std::string_view id) = 0;
  // The same, locked for deletion (PostgreSQL FOR UPDATE: rows that refer to the user, e.g. a
  // task being inserted, wait until the deletion committed, then fail as missing_reference).
  virtual std::optional<std::string> lock_for_delete(std::string_view id) = 0;
  // Replaces the hash when it is still `expected`; false (nothing changed) otherwise.
  virtual bool change_password(std::string_view id, std::string_view expected,
                               std::string_view new_hash) = 0;
  // Deletes the account row; every row referring to it must be gone (storage/user_data.hpp).
  // False when there was none.
  virtual bool remove(std::string_view id) = 0;
};

namespace sqlite {
std::unique_ptr<UserStore> make_user_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<UserStore> make_user_store(Handle& handle);
}
inline std::unique_ptr<UserStore> UserStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_user_store(*tx.sqlite())
                     : postgres::make_user_store(*tx.postgres());
}

inline UserStore& users(Tx& tx) {
  return tx.get<UserStore>();
}

}  // namespace todo::storage
