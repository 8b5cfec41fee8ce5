// PostgreSQL: users (storage/user_store.hpp).
#include "storage/postgres/pg_handle.hpp"
#include "storage/user_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kInsert =
    "INSERT INTO users (id, email, name, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING";
constexpr const char* kByEmail =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1";
constexpr const char* kById = "SELECT id, email, name, created_at FROM users WHERE id = $1";

class PgUsers final : public UserStore {
 public:
  explicit PgUsers(Handle& db) : db_(db) {}

  bool insert(const User& user, std::string_view password_hash) override {
    Params p;
    p.add(user.id).add(user.email).add(user.name).add(password_hash).add(user.created_at);
    return db_.exec(kInsert, p).affected() == 1;
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

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_user_store(Handle& handle) {
  return std::make_unique<PgUsers>(handle);
}

}  // namespace todo::storage::postgres
