#pragma once
// A command (assistant/command.hpp) → the calls of the tool registry (src/tools) that carry
// it out. Pure: no I/O; the built-in agent runs the calls through tools::call_tool with the
// caller's credential, so the registry validates them like any MCP or LLM call.
//
//   add          add_task {title, due_at?, remind_at?, priority?, tags?, recurrence?, timezone}
//   list         list_tasks {status} for a plain status list; else search_tasks {status, tag[],
//                priority, due_after, due_before, sort: due_at, order: asc, limit: 200}
//   search       search_tasks {q, limit: 50}
//   complete     complete_task {task_id}            reopen  complete_task {task_id, completed:
//   false} rename       update_task {task_id, title}       reschedule  update_task {task_id,
//   due_at} set_priority update_task {task_id, priority}   delete  delete_task {task_id}
// A target given by title is looked up first with search_tasks {q: title, status, limit: 20}
// (status: pending to complete, completed to reopen, all otherwise).
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "assistant/command.hpp"

namespace todo::assistant {

struct ToolCall {
  std::string name;
  boost::json::object arguments;
};

// The list or search call of Verb::list / Verb::search / Verb::add (nullopt for other verbs).
std::optional<ToolCall> direct_call(const Command& command, const Clock& clock);

// The call acting on task `task_id` for a targeted verb (complete, reopen, rename,
// reschedule, set_priority, remove); nullopt for other verbs.
std::optional<ToolCall> action_call(const Command& command, std::int64_t task_id);

// The search that finds a target given by title (command.target.title).
ToolCall lookup_call(const Command& command);

// Whether a tool call (of the history) lists tasks whose order numbers a list: list_tasks
// and search_tasks.
bool is_listing(std::string_view tool_name);
// Whether it changes tasks.
bool is_write(std::string_view tool_name);

}  // namespace todo::assistant
