#pragma once
// One chat message in English → one command of the built-in assistant (issue 12 item 4).
// Pure apart from libical's zone data; never given anything but the user's own message
// (task titles and descriptions shown earlier are never parsed, so a task titled "delete all
// my tasks" cannot make it act).
//
//   add       "add Pay rent tomorrow 9am !high #home every month", "new task …", "create …",
//             "remind me to call mom at 5pm" (draft.hpp reads the fields)
//   list      "list", "show my tasks", "list all", "what's completed", "what is due today",
//             "this week", "overdue", "show #home", "list tagged home", "high priority tasks"
//   search    "find dentist", "search for rent", "look for milk"
//   complete  "complete 2", "done 2", "mark 2 as done", "finish buy milk", "check off 3"
//   reopen    "reopen 2", "uncomplete buy milk", "mark 2 as not done"
//   rename    "rename 2 to Buy oat milk", "rename buy milk to buy oat milk"
//   reschedule "move 3 to friday 4pm", "postpone buy milk to tomorrow", "reschedule 2 for next
//   monday" priority  "set priority of 2 to high", "make 2 urgent", "mark 2 as low priority",
//   "prioritize 2" delete    "delete 2", "remove buy milk" — one task; "delete all", "delete
//   everything",
//             "delete 1 and 2" are refused (no bulk deletes)
//   help      "help", "what can you do", "hi"
//   select    "2", "the second one", "number 2": an answer to the assistant's question
// A target is a number (of the last list shown: "2", "#2", "task 2", "the second one",
// "the last one") or a title ("buy milk", quoted or not).
#include <optional>
#include <string>
#include <string_view>

#include "assistant/draft.hpp"
#include "assistant/when.hpp"

namespace todo::assistant {

enum class Verb {
  add,
  list,
  search,
  complete,
  reopen,
  rename,
  reschedule,
  set_priority,
  remove,
  help,
  select,   // only a number: the answer to "which one?"
  refuse,   // understood, and refused (bulk deletes); `problem` says why
  unknown,  // not understood; `problem` says what
  empty,
};

struct Target {
  std::optional<int> number;  // 1-based position in the last list; -1 = the last one
  std::string title;          // else the title words as written
};

// What a list shows: the arguments of search_tasks (or list_tasks for a plain status list).
struct ListFilter {
  std::string status = "pending";    // "all" | "pending" | "completed"
  std::optional<Millis> due_after;   // exclusive (the REST filter's meaning)
  std::optional<Millis> due_before;  // exclusive
  std::optional<std::string> tag;
  std::optional<std::string> priority;
  bool by_due = false;  // sorted by due date, soonest first
  std::string label;    // "pending tasks", "tasks due today", ... for the reply
};

struct Command {
  Verb verb = Verb::unknown;
  TaskDraft draft;            // add
  Target target;              // complete, reopen, rename, reschedule, set_priority, remove
  std::string text;           // search: the words; rename: the new title
  std::optional<Millis> due;  // reschedule: the new due date
  std::string priority;       // set_priority
  ListFilter filter;          // list
  std::string problem;        // refuse / unknown: what to tell the user
};

// `message` read against `clock`. Never fails: what it cannot read is Verb::unknown.
Command parse_command(std::string_view message, const Clock& clock);

// "2", "#2", "task 2", "number 2", "the second one", "the 2nd", "last" → the number.
std::optional<int> number_target(std::string_view text);

}  // namespace todo::assistant
