#include "app/roles.hpp"

#include "assistant/assistant_module.hpp"
#include "assistant/builtin_agent.hpp"
#include "audit/audit_module.hpp"
#include "auth/auth_module.hpp"
#include "bus/relay_module.hpp"
#include "chat/chat_module.hpp"
#include "email/email_module.hpp"
#include "mcp/mcp_module.hpp"
#include "ops/ops_module.hpp"
#include "recurrence/recurrence_module.hpp"
#include "reminders/reminders_module.hpp"
#include "stream/stream_module.hpp"
#include "tasks/tasks_module.hpp"
#include "tokens/tokens_module.hpp"
#include "web/web_module.hpp"
#include "webhooks/webhooks_module.hpp"

namespace todo::app {

const std::vector<Role>& roles() {
  static const std::vector<Role> kRoles = {
      {"all",
       "every module in one process",
       {"ops", "auth", "tasks", "tokens", "mcp", "assistant", "chat", "web", "audit", "recurrence",
        "reminders", "email", "webhooks", "stream", "relay"}},
      {"api",
       "accounts, tasks, access tokens, MCP, the chat and its assistant, the web UI and the "
       "outbox relay (to Dapr)",
       {"ops", "auth", "tasks", "tokens", "mcp", "assistant", "chat", "web", "relay"}},
      {"audit", "the audit trail: its consumer, its API and retention", {"ops", "audit"}},
      // Reminders are scheduled through the Dapr Jobs API and fire on its triggers to this
      // role; its relay publishes the reminders events.
      {"notification",
       "reminders, in-app notifications, e-mail, webhooks and live updates (SSE)",
       {"ops", "reminders", "email", "webhooks", "stream", "relay"}},
      // The relay publishes the created events of the occurrences it makes.
      {"recurrence",
       "next occurrences of recurring tasks (and the preview route)",
       {"ops", "recurrence", "relay"}},
  };
  return kRoles;
}

const Role* find_role(const std::string& name) {
  for (const auto& role : roles())
    if (role.name == name) return &role;
  return nullptr;
}

std::vector<std::unique_ptr<ModuleSpec>> module_catalog() {
  std::vector<std::unique_ptr<ModuleSpec>> specs;
  specs.push_back(ops::module_spec());
  specs.push_back(auth::module_spec());
  specs.push_back(tasks::module_spec());
  specs.push_back(tokens::module_spec());
  specs.push_back(web::module_spec());
  specs.push_back(audit::module_spec());
  specs.push_back(recurrence::module_spec());
  specs.push_back(reminders::module_spec());
  specs.push_back(email::module_spec());
  specs.push_back(webhooks::module_spec());
  specs.push_back(stream::module_spec());
  specs.push_back(mcp::module_spec());
  specs.push_back(assistant::module_spec());
  // The chat answers with the LLM agent when TODO_LLM_BASE_URL is set, else with the
  // built-in English command assistant (src/assistant).
  specs.push_back(chat::module_spec(&assistant::make_builtin_agent));
  specs.push_back(bus::relay_module_spec());  // last: it starts after every consumer is known
  return specs;
}

}  // namespace todo::app
