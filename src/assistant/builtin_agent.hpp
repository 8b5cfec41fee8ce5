#pragma once
// The built-in English command assistant as a chat agent (chat/agent.hpp): it reads the
// user's message with the parser (assistant/command.hpp), runs the tool calls of the plan
// (assistant/plan.hpp) through tools::call_tool with the caller's credential (so the
// registry's validation, scopes, events and audit entries apply), and says in plain English
// what it did: "Added “Pay rent” — due Tue 1 Dec 09:00, high, #home, every month."
//
// Numbers ("complete 2") refer to the last numbered list the assistant showed in this
// conversation: the tasks of the last list_tasks/search_tasks call of the latest assistant
// message that listed tasks and changed none (its tool_calls in the history). A title that
// matches several tasks is asked back with a numbered list, which then numbers the answer
// ("2", "the second one"). Only the user's messages are parsed, never task titles or
// descriptions; one task is changed per message, and bulk deletes are refused.
//
// Lifecycle and threads: stateless (the history is all it knows); one instance may serve
// any number of coroutines at once.
#include <memory>

#include "chat/agent.hpp"

namespace todo::assistant {

class BuiltinAgent final : public chat::Agent {
 public:
  // AgentUnavailable only when the database is unavailable (a tool answered "busy");
  // everything else is an AgentReply.
  boost::asio::awaitable<chat::AgentResult> reply(chat::AgentContext& context,
                                                  std::string message) override;
};

std::unique_ptr<chat::Agent> make_builtin_agent();

}  // namespace todo::assistant
