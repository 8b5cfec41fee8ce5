#pragma once
// assistant: the quick add of the web UI — POST /api/{user_id}/tasks/parse {text, timezone?}
// → the task fields the built-in assistant's parser reads in `text` (assistant/draft.hpp)
// and the chips that show them; without `timezone`, in the zone of the user's preferences
// (UTC when none was saved). Auth as the task routes (session cookie or bearer: a JWT,
// or a personal access token with tasks:read); another user's {user_id} → 403. Nothing is
// stored (one read of the preferences when no zone is sent). The built-in chat agent
// (assistant/builtin_agent.hpp) lives here too; the chat module gets it from the role composition.
// No options, no workers.
#include <memory>

#include "app/module.hpp"

namespace todo::assistant {

constexpr std::size_t kMaxParseChars = 1000;  // code points of `text`

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::assistant
