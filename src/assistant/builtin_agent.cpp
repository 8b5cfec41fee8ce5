#include "assistant/builtin_agent.hpp"

#include <boost/json.hpp>

#include "assistant/agent_replies.hpp"
#include "assistant/command.hpp"
#include "assistant/plan.hpp"
#include "core/text_fold.hpp"
#include "tools/registry.hpp"

namespace todo::assistant {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using chat::ChatMessage;
using chat::ToolCallRecord;

// How an ask-back begins; the next message's "2" answers it (pending_question).
constexpr std::string_view kAskBack = "Several tasks match ";

Millis millis_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const json::array* tasks_of(const ToolCallRecord& record) {
  if (record.is_error || !record.result.is_object()) return nullptr;
  const json::value* tasks = record.result.get_object().if_contains("tasks");
  return tasks && tasks->is_array() ? &tasks->get_array() : nullptr;
}

// The tasks of the last numbered list shown: the last listing call of the latest assistant
// message that listed at least one task and changed none (a lookup that led to a change
// was not shown as a list).
const json::array* last_numbering(std::span<const ChatMessage> history) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->role != "assistant") continue;
    const json::array* listed = nullptr;
    bool wrote = false;
    for (const auto& call : it->tool_calls) {
      if (is_write(call.name) && !call.is_error) wrote = true;
      if (is_listing(call.name))
        if (const json::array* tasks = tasks_of(call); tasks && !tasks->empty()) listed = tasks;
    }
    if (listed && !wrote) return listed;
  }
  return nullptr;
}

// When the latest assistant message asked "which one?", the user's message it answered
// (re-parsed: the user's own words, never a title).
std::optional<Command> pending_question(std::span<const ChatMessage> history, const Clock& clock) {
  if (history.size() < 2) return std::nullopt;
  const ChatMessage& asked = history[history.size() - 1];
  const ChatMessage& before = history[history.size() - 2];
  if (asked.role != "assistant" || before.role != "user" ||
      asked.content.compare(0, kAskBack.size(), kAskBack) != 0)
    return std::nullopt;
  Command c = parse_command(before.content, clock);
  if (!action_call(c, 1)) return std::nullopt;
  return c;
}

std::string error_text(const ToolCallRecord& record) {
  if (record.result.is_object())
    if (const auto* e = record.result.get_object().if_contains("error"); e && e->is_string()) {
      std::string text(e->get_string());
      // The tools' messages end with advice for a model ("Check the id with list_tasks…").
      if (auto dot = text.find(". "); dot != std::string::npos) text.resize(dot);
      return text;
    }
  return "the operation failed";
}

bool busy(const ToolCallRecord& record) {
  return record.is_error && error_text(record).starts_with("The service is busy");
}

class Turn {
 public:
  Turn(chat::AgentContext& context, const Clock& clock) : context_(context), clock_(clock) {
    calls_.reserve(4);  // at most two calls a turn: records are pointed to while it runs
  }

  asio::awaitable<chat::AgentResult> run(const std::string& message);

 private:
  // Runs one call through the registry and records it.
  // `tool_call` is a named local of the caller (see storage/await.hpp on temporaries in
  // co_await expressions with g++ 12).
  asio::awaitable<const ToolCallRecord*> call(ToolCall& tool_call) {
    const std::string name = tool_call.name;
    const json::value arguments(tool_call.arguments);
    tools::CallOutcome outcome =
        co_await tools::call_tool(context_.tools, context_.caller, name, arguments);
    ToolCallRecord record{name, std::move(tool_call.arguments), nullptr, false};
    if (outcome.refused) {
      record.is_error = true;
      record.result = json::object{{"error", outcome.refused->message}};
    } else if (outcome.result && outcome.result->is_error) {
      record.is_error = true;
      record.result = json::object{{"error", outcome.result->message}};
    } else if (outcome.result) {
      record.result = std::move(outcome.result->structured);
    }
    calls_.push_back(std::move(record));
    co_return &calls_.back();
  }

  chat::AgentResult answer(std::string text) {
    return chat::AgentReply{std::move(text), std::move(calls_)};
  }
  chat::AgentResult unavailable(const ToolCallRecord& record) {
    chat::AgentUnavailable u;
    u.detail = "the task store is busy: " + error_text(record);
    u.retry_after = std::chrono::seconds(5);
    for (auto& c : calls_)
      if (is_write(c.name) && !c.is_error) u.applied.push_back(c);
    return u;
  }

  asio::awaitable<chat::AgentResult> listing(const Command& command);
  asio::awaitable<chat::AgentResult> act(const Command& command);
  std::string describe_change(const Command& command, const ToolCallRecord& record,
                              const json::object* before);

  chat::AgentContext& context_;
  const Clock& clock_;
  std::vector<ToolCallRecord> calls_;
};

asio::awaitable<chat::AgentResult> Turn::listing(const Command& command) {
  ToolCall planned = *direct_call(command, clock_);
  const ToolCallRecord* record = co_await call(planned);
  if (busy(*record)) co_return unavailable(*record);
  if (record->is_error) co_return answer("That did not work: " + error_text(*record) + ".");
  const json::array* tasks = tasks_of(*record);
  static const json::array kNone;
  if (!tasks) tasks = &kNone;
  if (command.verb == Verb::add) {
    const json::object& result = record->result.as_object();
    const json::value* task = result.if_contains("task");
    std::string text = "Added " + quoted(command.draft.title);
    if (task && task->is_object()) {
      std::string fields = describe_fields(task->get_object(), clock_);
      if (!fields.empty()) text += " \xE2\x80\x94 " + fields;
    }
    co_return answer(text + ".");
  }
  if (command.verb == Verb::search) {
    if (tasks->empty()) co_return answer("No task matches " + quoted(command.text) + ".");
    co_return answer("Tasks matching " + quoted(command.text) + ":\n" +
                     numbered_list(*tasks, clock_));
  }
  if (tasks->empty()) co_return answer("You have no " + command.filter.label + ".");
  co_return answer("Your " + command.filter.label + ":\n" + numbered_list(*tasks, clock_));
}

std::string Turn::describe_change(const Command& c, const ToolCallRecord& record,
                                  const json::object* before) {
  const json::object& result = record.result.as_object();
  std::string title;
  if (const auto* t = result.if_contains("title"); t && t->is_string()) title = t->get_string();
  std::string old_title = title;
  if (before)
    if (const auto* t = before->if_contains("title"); t && t->is_string())
      old_title = t->get_string();
  const json::value* task = result.if_contains("task");
  switch (c.verb) {
    case Verb::complete: {
      std::string text = "Completed " + quoted(title) + ".";
      if (task && task->is_object() && task->get_object().contains("recurrence") &&
          task->get_object().at("recurrence").is_string())
        text += " It repeats (" + describe_rule(task->get_object().at("recurrence").get_string()) +
                "): the next one will appear in your list.";
      return text;
    }
    case Verb::reopen:
      return "Reopened " + quoted(title) + ".";
    case Verb::rename:
      return "Renamed " + quoted(old_title) + " to " + quoted(title) + ".";
    case Verb::reschedule:
      return "Moved " + quoted(title) + " to " + format_when(*c.due, clock_) + ".";
    case Verb::set_priority:
      return "Set " + quoted(title) + " to " + c.priority + " priority.";
    case Verb::remove:
      return "Deleted " + quoted(title) + ".";
    default:
      return "Done.";
  }
}

asio::awaitable<chat::AgentResult> Turn::act(const Command& command) {
  std::int64_t task_id = 0;
  const json::object* before = nullptr;
  if (command.target.number) {
    const json::array* numbering = last_numbering(context_.history);
    if (!numbering)
      co_return answer(
          "I have not shown you a numbered list in this conversation yet. Say “list” "
          "(or “find …”) first, or use the task's title.");
    // Only the numbers shown count.
    const int size = static_cast<int>(std::min(numbering->size(), kListShown));
    const int n = *command.target.number == -1 ? size : *command.target.number;
    if (n < 1 || n > size)
      co_return answer("There is no task " + std::to_string(*command.target.number) +
                       " in the last list (it has " + std::to_string(size) +
                       (size == 1 ? " task" : " tasks") + "). Say “list” to see it again.");
    const json::value& item = (*numbering)[n - 1];
    if (!item.is_object() || !item.get_object().contains("id") ||
        !item.get_object().at("id").is_int64())
      co_return answer("I cannot tell which task that is; say “list” and try again.");
    before = &item.get_object();
    task_id = before->at("id").get_int64();
  } else {
    ToolCall lookup = lookup_call(command);
    const ToolCallRecord* found = co_await call(lookup);
    if (busy(*found)) co_return unavailable(*found);
    if (found->is_error) co_return answer("I could not look that up: " + error_text(*found) + ".");
    const json::array* tasks = tasks_of(*found);
    const std::string wanted = fold(command.target.title);
    std::vector<const json::object*> exact;
    for (const auto& t : *tasks)
      if (t.is_object() && t.get_object().contains("title") &&
          fold(t.get_object().at("title").as_string()) == wanted)
        exact.push_back(&t.get_object());
    const char* which = command.verb == Verb::complete ? "pending task"
                        : command.verb == Verb::reopen ? "completed task"
                                                       : "task";
    if (tasks->empty())
      co_return answer(std::string("No ") + which + " matches " + quoted(command.target.title) +
                       ". Say “list” to see your tasks.");
    if (exact.size() == 1) {
      before = exact.front();
    } else if (tasks->size() == 1 && exact.empty()) {
      before = &tasks->front().get_object();
    } else {
      co_return answer(std::string(kAskBack) + quoted(command.target.title) +
                       " \xE2\x80\x94 which one? Answer with its number:\n" +
                       numbered_list(*tasks, clock_));
    }
    task_id = before->at("id").as_int64();
  }
  ToolCall planned = *action_call(command, task_id);
  const ToolCallRecord* done = co_await call(planned);
  if (busy(*done)) co_return unavailable(*done);
  if (done->is_error) co_return answer("That did not work: " + error_text(*done) + ".");
  co_return answer(describe_change(command, *done, before));
}

asio::awaitable<chat::AgentResult> Turn::run(const std::string& message) {
  Command command = parse_command(message, clock_);
  if (command.verb == Verb::select) {
    std::optional<Command> question = pending_question(context_.history, clock_);
    if (!question) {
      const std::string n =
          command.target.number == -1 ? "last" : std::to_string(*command.target.number);
      co_return answer("What should I do with task " + n + "? For example “complete " + n +
                       "”, “move " + n + " to tomorrow” or “delete " + n + "”.");
    }
    question->target = command.target;
    command = std::move(*question);
  }
  switch (command.verb) {
    case Verb::empty:
      co_return answer(
          "Say what you would like to do, for example “add Buy milk tomorrow”, "
          "“list” or “help”.");
    case Verb::help:
      co_return answer(help_text());
    case Verb::unknown:
      co_return answer(not_understood(message, command.problem));
    case Verb::refuse:
      co_return answer(command.problem);
    case Verb::add:
    case Verb::list:
    case Verb::search:
      co_return co_await listing(command);
    default:
      co_return co_await act(command);
  }
}

}  // namespace

asio::awaitable<chat::AgentResult> BuiltinAgent::reply(chat::AgentContext& context,
                                                       std::string message) {
  auto clock = make_clock(millis_of(context.now), context.timezone);
  if (!clock) clock = make_clock(millis_of(context.now), "UTC");
  Turn turn(context, *clock);
  co_return co_await turn.run(message);
}

std::unique_ptr<chat::Agent> make_builtin_agent() {
  return std::make_unique<BuiltinAgent>();
}

}  // namespace todo::assistant
