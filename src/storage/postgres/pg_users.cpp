// PostgreSQL: users (storage/user_store.hpp).
#include "storage/postgres/pg_handle.hpp"
#include "storage/user_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, name, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING";
constexpr const char* kByEmail =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1";
constexpr const char* kById = "SELECT id, email, name, created_at FROM users WHERE id = $1";
constexpr const char* kCredentialsById =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE id = $1";
// FOR SHARE: a password change (UPDATE) or deletion waits for us, while rows that merely
// refer to the user (FOR KEY SHARE) go on. FOR UPDATE: they all wait for the deletion.
constexpr const char* kLockShare = "SELECT password_hash FROM users WHERE id = $1 FOR SHARE";
constexpr const char* kLockUpdate = "SELECT password_hash FROM users WHERE id = $1 FOR UPDATE";
constexpr const char* kChangePassword =
    "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3";
constexpr const char* kRemove = "DELETE FROM users WHERE id = $1";

class PgUsers final : public UserStore {
 public:
  explicit PgUsers(Handle& db) : db_(db) {}

  bool insert(const User& user, std::string_view password_hash) override {
    Params p;
    p.add(user.id).add(user.email).add(user.name).add(password_hash).add(user.created_at);
    return db_.exec(kInsertUser, p).affected() == 1;
  }

  std::optional<UserCredentials> find_by_email(std::string_view email) override {
    auto r = db_.exec(kByEmail, Params().add(email));
    if (r.empty()) return std::nullopt;
    return UserCredentials{User{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.int64(0, 3)},
                           r.text(0, 4)};
  }

  std::optional<User> find_by_id(std::string_view id) override {
    auto r = db_.exec(kById, Params().add(id));
    if (r.empty()) return std::nullopt;
    return User{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.int64(0, 3)};
  }

  std::optional<UserCredentials> find_credentials(std::string_view id) override {
    auto r = db_.exec(kCredentialsById, Params().add(id));
    if (r.empty()) return std::nullopt;
    return UserCredentials{User{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.int64(0, 3)},
                           r.text(0, 4)};
  }

  std::optional<std::string> lock_password_hash(std::string_view id) override {
    auto r = db_.exec(kLockShare, Params().add(id));
    if (r.empty()) return std::nullopt;
    return r.text(0, 0);
  }

  std::optional<std::string> lock_for_delete(std::string_view id) override {
    auto r = db_.exec(kLockUpdate, Params().add(id));
    if (r.empty()) return std::nullopt;
    return r.text(0, 0);
  }

  bool change_password(std::string_view id, std::string_view expected,
                       std::string_view new_hash) override {
    return db_.exec(kChangePassword, Params().add(new_hash).add(id).add(expected)).affected() == 1;
  }

  bool remove(std::string_view id) override {
    return db_.exec(kRemove, Params().add(id)).affected() == 1;
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_user_store(Handle& handle) {
  return std::make_unique<PgUsers>(handle);
}

}  // namespace todo::storage::postgres
