#pragma once
#include <string>

#include "tasks/task.hpp"

namespace todo {

struct User {
  std::string id;     // opaque: "u_" + 20 random base32 characters
  std::string email;  // stored lower-cased
  std::string name;
  Millis created_at = 0;
};

struct UserCredentials {
  User user;
  std::string password_hash;  // libsodium Argon2id string
};

}  // namespace todo
