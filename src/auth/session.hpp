#pragma once
// Sessions and their revocation (issue 14, item 1): the records the session store keeps and
// every role's Authenticator refuses.
//
// A session is one token we issued (its "jti"). It ends before its "exp" in two ways:
//   - one session (sign-out): a TokenRevocation of its jti;
//   - every session of a user issued before a time (sign-out-all, change-password, account
//     deletion): a UserCutoff. kAccountDeleted as the cutoff refuses every token of the user.
// Both are kept only until no token they concern can still be valid (`expires_at`), then
// purged: memory and tables stay bounded by the sessions of the last token lifetime.
#include <climits>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"

namespace todo {

// A token we issued (table `sessions`): recorded at sign-up, sign-in and password change,
// so that sign-out-all can end each live one by its jti.
struct SessionRecord {
  std::string token_id;  // the token's jti
  std::string user_id;
  Millis issued_at = 0;
  Millis expires_at = 0;  // the token's exp
};

// One ended session (table `revoked_tokens`).
struct TokenRevocation {
  std::string token_id;
  std::string user_id;
  Millis expires_at = 0;  // the token's exp plus the leeway: after this it is refused anyway
};

// Tokens of `user_id` issued before `cutoff` are refused (table `session_cutoffs`).
struct UserCutoff {
  std::string user_id;
  Millis cutoff = 0;      // compared with the token's iat (whole seconds on the wire)
  Millis expires_at = 0;  // cutoff + the longest token lifetime + leeway
};

// The cutoff of a deleted account: no token of it is accepted, whenever it was issued.
inline constexpr Millis kAccountDeleted = LLONG_MAX;

// account_deleted_error() (core/error.hpp): what a request of a deleted account gets.

}  // namespace todo
