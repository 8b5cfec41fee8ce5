#pragma once
// chat: POST /api/{user_id}/chat and the conversations (GET /api/{user_id}/conversations,
// GET|DELETE /api/{user_id}/conversations/{id}); src/chat/README.md has the rules. A message
// is answered by the LLM agent (chat/llm_agent.hpp) when TODO_LLM_BASE_URL is set, else by
// the built-in agent the role composition hands in.
// Options: --llm-base-url, --llm-model, --llm-timeout, --llm-ca-file (TODO_LLM_API_KEY from
// the environment only), --chat-history-messages, --chat-max-message-chars,
// --chat-max-tool-rounds, --chat-max-body-bytes.
#include <memory>
#include <string>

#include "app/module.hpp"
#include "chat/agent.hpp"

namespace todo::chat {

struct ChatOptions {
  std::string llm_base_url;  // empty: no LLM
  std::string llm_model = "gpt-4o-mini";
  std::string llm_timeout = "60s";
  std::string llm_ca_file;
  int history_messages = 20;
  int max_message_chars = 4000;
  int max_tool_rounds = 5;
  int max_body_bytes = 64 * 1024;
};

// Makes the agent used when no LLM is configured — the built-in English command assistant
// (src/assistant's make_builtin_agent); called once, when the module is built without an
// LLM. Required: the chat always has an agent.
using AgentFactory = std::unique_ptr<Agent> (*)();
std::unique_ptr<app::ModuleSpec> module_spec(AgentFactory make_builtin);

}  // namespace todo::chat
