#pragma once
// The e-mail module's routes (thin: the rules are in preferences.hpp and the stores):
//   GET  /api/{user_id}/preferences   the user's preferences, the defaults when never saved
//   PUT  /api/{user_id}/preferences   replaces them (preferences.hpp says what is valid)
//   GET  /api/email/unsubscribe?token  a small HTML page with a button that POSTs below;
//                                      changes nothing (mail scanners follow links)
//   POST /api/email/unsubscribe?token  RFC 8058 one-click: body List-Unsubscribe=One-Click;
//                                      turns the token's user's email_reminders off, 200
// The unsubscribe routes need no login (the token is the credential, email/unsubscribe_token.hpp):
// no token -> 400 naming `token`, a token that does not verify -> 403; a POST without the
// one-click body -> 400 naming `body`. Preferences follow the /api/{user_id} rules (401/403).
#include "auth/authenticator.hpp"
#include "email/unsubscribe_token.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::email {

struct RouteDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  const UnsubscribeTokens& tokens;
};

void add_email_routes(http::Router& router, RouteDeps& deps);

}  // namespace todo::email
