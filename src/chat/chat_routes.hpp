#pragma once
// The chat's HTTP handlers (thin: authorize, parse, a unit on the chat store, the agent,
// shape the reply). Registered by the chat module (chat/chat_module.cpp).
#include <cstddef>

#include "auth/authenticator.hpp"
#include "chat/agent.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"
#include "tools/tool.hpp"

namespace todo::chat {

struct ChatDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  tools::ToolDeps tools;
  Agent* agent;  // the LLM agent, else the built-in one; never null
  int history_messages;
  int max_message_chars;
  std::size_t max_body_bytes;
};

// Declares the chat's metrics (todo_chat_messages_total{outcome}).
void describe_chat_metrics(ops::Metrics& metrics);

void add_chat_routes(http::Router& router, ChatDeps& deps);

}  // namespace todo::chat
