#pragma once
// Users: accounts and their password hashes (table `users`).
// SQL: storage/sqlite/sqlite_users.cpp, storage/postgres/pg_users.cpp.
#include <memory>
#include <optional>
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
