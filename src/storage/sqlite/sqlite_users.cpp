// SQLite: users (storage/user_store.hpp).
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/user_store.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kInsert =
    "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (email) DO NOTHING";
constexpr const char* kByEmail =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?";
constexpr const char* kById = "SELECT id, email, name, created_at FROM users WHERE id = ?";

class SqliteUsers final : public UserStore {
 public:
  explicit SqliteUsers(Handle& db) : db_(db) {}

  bool insert(const User& user, std::string_view password_hash) override {
    auto s = db_.prepare(kInsert);
    s.bind(1, user.id).bind(2, user.email).bind(3, user.name).bind(4, password_hash);
    s.bind(5, user.created_at).run();
    return db_.changes() == 1;
  }

  std::optional<UserCredentials> find_by_email(std::string_view email) override {
    auto s = db_.prepare(kByEmail);
    s.bind(1, email);
    if (!s.step()) return std::nullopt;
    return UserCredentials{User{s.text(0), s.text(1), s.text(2), s.int64(3)}, s.text(4)};
  }

  std::optional<User> find_by_id(std::string_view id) override {
    auto s = db_.prepare(kById);
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return User{s.text(0), s.text(1), s.text(2), s.int64(3)};
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_user_store(Handle& handle) {
  return std::make_unique<SqliteUsers>(handle);
}

}  // namespace todo::storage::sqlite
