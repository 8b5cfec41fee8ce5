#pragma once
// tokens: personal access tokens (issue 12, item 1), for scripts and AI clients:
//   POST   /api/{user_id}/tokens {name, scopes, expires_at?} -> 201 {id, token, name, scopes,
//          prefix, created_at, expires_at, last_used_at}: the secret `token` is in this answer
//          only, never again (only its hash is stored, auth/access_token.hpp);
//   GET    /api/{user_id}/tokens -> {items: [...]}: the tokens not revoked, newest first,
//          without the secret;
//   DELETE /api/{user_id}/tokens/{id} -> 204: revoked at once, in every process.
// These routes take only a session (sign-in token or cookie), never a personal access token:
// a leaked token must not mint tokens (403). Checking tokens on the other routes is the
// Authenticator's (auth/authenticator.hpp, auth/access_tokens.hpp). Validation (tokens_input.hpp):
// 422 problems naming the field. Metrics: todo_tokens_created_total. No options, no workers.
#include <memory>

#include "app/module.hpp"

namespace todo::tokens {

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::tokens
