// The chat module: its options, the agent it answers with, its routes and metrics.
#include "chat/chat_module.hpp"

#include <cstdlib>

#include "app/platform.hpp"
#include "chat/chat_routes.hpp"
#include "chat/llm_agent.hpp"
#include "config/duration.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "tools/registry.hpp"

namespace todo::chat {
namespace {

class ChatModule final : public app::Module {
 public:
  ChatModule(app::Platform& p, const ChatOptions& o, AgentFactory make_builtin)
      : builtin_(o.llm_base_url.empty() ? make_builtin() : nullptr),
        deps_{p.db,
              p.metrics,
              p.authenticator,
              tools::ToolDeps{p.db, p.metrics, p.outbox, p.task_writes},
              builtin_.get(),
              o.history_messages,
              o.max_message_chars,
              std::size_t(o.max_body_bytes)} {
    if (!o.llm_base_url.empty()) {
      // The key comes from the environment only: never an option, so never in --help or in
      // the options the start-up log describes.
      const char* key = std::getenv("TODO_LLM_API_KEY");
      LlmOptions llm{
          o.llm_base_url,    key ? key : "",
          o.llm_model,       std::chrono::seconds(*parse_duration_seconds(o.llm_timeout)),
          o.max_tool_rounds, o.llm_ca_file};
      llm_ = std::make_unique<LlmAgent>(std::move(llm));
      deps_.agent = llm_.get();
      log::info("chat: LLM agent at {} (model {})", redact_url(o.llm_base_url), o.llm_model);
    } else {
      log::info("chat: the built-in assistant (no TODO_LLM_BASE_URL)");
    }
    tools::describe_tool_metrics(p.metrics);
    describe_chat_metrics(p.metrics);
  }

  std::string_view name() const override { return "chat"; }
  void add_routes(http::Router& router) override { add_chat_routes(router, deps_); }

 private:
  std::unique_ptr<Agent> builtin_;  // before deps_: deps_ points at it
  std::unique_ptr<LlmAgent> llm_;   // before deps_ goes: deps_ points at it
  ChatDeps deps_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec(AgentFactory make_builtin) {
  return std::make_unique<app::FunctionSpec<ChatOptions>>(
      "chat", "Chat assistant (chat module)",
      [](app::OptionGroup& g, ChatOptions& o) {
        g.text("--llm-base-url", "TODO_LLM_BASE_URL", o.llm_base_url,
               "OpenAI-compatible Chat Completions endpoint, e.g. https://api.openai.com/v1 or "
               "http://127.0.0.1:11434/v1 (Ollama); empty: the built-in assistant. The key: "
               "TODO_LLM_API_KEY (environment only)");
        g.text("--llm-model", "TODO_LLM_MODEL", o.llm_model, "Model name sent to the endpoint");
        g.text("--llm-timeout", "TODO_LLM_TIMEOUT", o.llm_timeout,
               "Longest wait for one answer of the endpoint (e.g. 60s, 2m); then 503");
        g.text("--llm-ca-file", "TODO_LLM_CA_FILE", o.llm_ca_file,
               "PEM CA certificates to verify the endpoint with instead of the system store");
        g.integer("--chat-history-messages", "TODO_CHAT_HISTORY_MESSAGES", o.history_messages,
                  "Stored messages of the conversation sent to the agent with a new one", 0, 200);
        g.integer("--chat-max-message-chars", "TODO_CHAT_MAX_MESSAGE_CHARS", o.max_message_chars,
                  "Longest chat message accepted, in characters (longer: 422)", 1, 100000);
        g.integer("--chat-max-tool-rounds", "TODO_CHAT_MAX_TOOL_ROUNDS", o.max_tool_rounds,
                  "Rounds of tool calls the LLM may make for one message", 1, 50);
        g.integer("--chat-max-body-bytes", "TODO_CHAT_MAX_BODY_BYTES", o.max_body_bytes,
                  "Largest chat request body accepted (larger: 413)", 1024, 1 << 20);
      },
      [](const ChatOptions& o) {
        auto timeout = parse_duration_seconds(o.llm_timeout);
        if (!timeout || *timeout <= 0)
          throw std::invalid_argument("--llm-timeout must look like 60s or 2m, got '" +
                                      o.llm_timeout + "'");
        if (!o.llm_base_url.empty() && !o.llm_base_url.starts_with("http://") &&
            !o.llm_base_url.starts_with("https://"))
          throw std::invalid_argument("--llm-base-url must be an http:// or https:// URL");
        if (!o.llm_base_url.empty() && o.llm_model.empty())
          throw std::invalid_argument("--llm-model must name a model when --llm-base-url is set");
      },
      [make_builtin](app::Platform& p, const ChatOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<ChatModule>(p, o, make_builtin);
      });
}

}  // namespace todo::chat
