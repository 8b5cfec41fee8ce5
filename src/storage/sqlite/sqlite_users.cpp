// SQLite: users (storage/user_store.hpp).
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/user_store.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (email) DO NOTHING";
constexpr const char* kByEmail =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?";
constexpr const char* kById = "SELECT id, email, name, created_at FROM users WHERE id = ?";
constexpr const char* kCredentialsById =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE id = ?";
// SQLite has one writer: a write transaction already excludes every other change.
constexpr const char* kPasswordHash = "SELECT password_hash FROM users WHERE id = ?";
constexpr const char* kChangePassword =
    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?";
constexpr const char* kRemove = "DELETE FROM users WHERE id = ?";

class SqliteUsers final : public UserStore {
 public:
  explicit SqliteUsers(Handle& db) : db_(db) {}

  bool insert(const User& user, std::string_view password_hash) override {
    auto s = db_.prepare(kInsertUser);
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

  std::optional<UserCredentials> find_credentials(std::string_view id) override {
    auto s = db_.prepare(kCredentialsById);
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return UserCredentials{User{s.text(0), s.text(1), s.text(2), s.int64(3)}, s.text(4)};
  }

  std::optional<std::string> lock_password_hash(std::string_view id) override {
    auto s = db_.prepare(kPasswordHash);
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  std::optional<std::string> lock_for_delete(std::string_view id) override {
    return lock_password_hash(id);
  }

  bool change_password(std::string_view id, std::string_view expected,
                       std::string_view new_hash) override {
    db_.prepare(kChangePassword).bind(1, new_hash).bind(2, id).bind(3, expected).run();
    return db_.changes() == 1;
  }

  bool remove(std::string_view id) override {
    db_.prepare(kRemove).bind(1, id).run();
    return db_.changes() == 1;
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_user_store(Handle& handle) {
  return std::make_unique<SqliteUsers>(handle);
}

}  // namespace todo::storage::sqlite
