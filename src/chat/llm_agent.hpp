#pragma once
// LlmAgent: a chat::Agent over any OpenAI-compatible Chat Completions endpoint (OpenAI,
// Ollama's /v1, llama.cpp's server, vLLM). It sends the system prompt, the stored history
// and the new message with the registry's tools (chat/openai_wire.hpp), runs the tool calls
// the model asks for through tools::call_tool with the caller's credential, sends their
// results back as `role: tool` messages, and repeats until the model answers with text or
// the round limit is reached (then one last request with tool_choice "none").
//
// Failures: the endpoint unreachable, a timeout, any non-2xx status, or an answer that is
// not a Chat Completions response → AgentUnavailable (Retry-After from the endpoint's
// Retry-After when it sent one, else 30 s) listing the tool calls already applied. Malformed
// tool arguments and unknown tools are not failures: a tool result saying so goes back to
// the model, and nothing runs.
//
// Secrets: the API key is sent only as `Authorization: Bearer` to the configured URL; it is
// never logged and never part of a detail (net::HttpClient logs no headers).
//
// Threads: reply() may run from many coroutines at once; the agent's only state is its
// HttpClient (thread-safe, one worker thread of its own). Lifecycle: built by the chat
// module, destroyed with it (the client's destructor cancels what is in flight).
#include <chrono>
#include <string>

#include "chat/agent.hpp"
#include "net/http_client.hpp"

namespace todo::chat {

struct LlmOptions {
  std::string base_url;  // e.g. https://api.openai.com/v1 (…/chat/completions is appended)
  std::string api_key;   // may be empty (a local Ollama needs none)
  std::string model;
  std::chrono::milliseconds timeout{60'000};  // one request to the endpoint
  int max_tool_rounds = 5;
  std::string ca_file;  // PEM CA file for a private endpoint; empty: the system store
};

class LlmAgent final : public Agent {
 public:
  explicit LlmAgent(LlmOptions options);
  boost::asio::awaitable<AgentResult> reply(AgentContext& context, std::string message) override;

 private:
  LlmOptions options_;
  std::string url_;  // base_url + "/chat/completions"
  net::HttpClient client_;
};

}  // namespace todo::chat
