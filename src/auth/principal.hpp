#pragma once
// Who a request acts for, once authenticated (Authenticator::authorize): the user, and what
// the credential may do. A session (a JWT as bearer token or cookie) may do everything; a
// personal access token (auth/access_token.hpp) only what its scopes allow.
#include <string>

#include "auth/scopes.hpp"

namespace todo::auth {

struct Principal {
  std::string user_id;
  ScopeSet scopes = kAllScopes;
  std::string access_token_id;  // the personal access token's id; empty for a session

  bool is_access_token() const { return !access_token_id.empty(); }
  bool may(Scope scope) const { return has_scope(scopes, scope); }
};

}  // namespace todo::auth
