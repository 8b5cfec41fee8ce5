#include "assistant/command.hpp"

#include <array>

#include "assistant/command_parts.hpp"

namespace todo::assistant {
namespace {

using detail::list_command;
using detail::one_of;
using Tokens = std::vector<Token>;

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == '.' || s.back() == '?' || s.back() == '!'))
    s.remove_suffix(1);
  return s;
}

// Quotes around a title: "…", '…', “…”, ‘…’.
std::string_view unquote(std::string_view s) {
  s = trim(s);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kPairs = {
      {{"\"", "\""}, {"\xE2\x80\x9C", "\xE2\x80\x9D"}, {"\xE2\x80\x98", "\xE2\x80\x99"}}};
  for (auto [open, close] : kPairs)
    if (s.size() >= open.size() + close.size() && s.substr(0, open.size()) == open &&
        s.substr(s.size() - close.size()) == close)
      return trim(s.substr(open.size(), s.size() - open.size() - close.size()));
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'')
    return trim(s.substr(1, s.size() - 2));
  return s;
}

// The message text of tokens [from, to).
// Up to the end of the message when `to` is the end (a closing quote is not part of a token).
std::string_view span(std::string_view message, const Tokens& t, std::size_t from, std::size_t to) {
  if (from >= to || from >= t.size()) return {};
  if (to >= t.size()) return trim(message.substr(t[from].begin));
  return message.substr(t[from].begin, t[to - 1].end - t[from].begin);
}

Target target_of(std::string_view message, const Tokens& t, std::size_t from, std::size_t to) {
  // "the task buy milk", "task buy milk": the words after.
  std::size_t f = from;
  if (is(t, f, "the") && (is(t, f + 1, "task") || is(t, f + 1, "todo")) && f + 2 < to)
    f += 2;
  else if ((is(t, f, "task") || is(t, f, "todo")) && f + 1 < to && !number_of(t[f + 1].lower))
    ++f;
  std::string_view text = span(message, t, from, to);
  Target target;
  if (auto n = number_target(text)) {
    target.number = n;
    return target;
  }
  target.title = std::string(unquote(span(message, t, f, to)));
  return target;
}

Command unknown(std::string problem) {
  Command c;
  c.verb = Verb::unknown;
  c.problem = std::move(problem);
  return c;
}

Command refuse(std::string problem) {
  Command c;
  c.verb = Verb::refuse;
  c.problem = std::move(problem);
  return c;
}

constexpr const char* kNoBulk =
    "I delete one task at a time, never several at once. Say “delete 2” or “delete buy milk” "
    "(in quotes if the title has words like “all”).";

// "delete all", "delete everything", "delete 1 and 2", "delete completed tasks".
bool bulk_target(const Tokens& t, std::size_t from, std::size_t to) {
  if (from >= to) return false;
  static constexpr std::array<std::string_view, 8> kLead = {"all",  "everything", "every", "each",
                                                            "them", "both",       "these", "those"};
  if (one_of(t[from].lower, kLead)) return true;
  std::string rest;
  for (std::size_t k = from; k < to; ++k) rest += (k > from ? " " : "") + t[k].lower;
  static constexpr std::array<std::string_view, 9> kWhole = {
      "tasks",      "my tasks", "the tasks", "completed", "completed tasks",
      "done tasks", "the list", "my list",   "done"};
  if (one_of(std::string_view(rest), kWhole)) return true;
  int numbers = 0;
  for (std::size_t k = from; k < to; ++k) {
    std::string_view w = t[k].lower;
    if (!w.empty() && w[0] == '#') w.remove_prefix(1);
    if (number_of(w)) ++numbers;
    if (w.find('-') != std::string_view::npos && w.size() > 2 && w[0] >= '0' && w[0] <= '9')
      return true;
  }
  return numbers > 1;
}

std::optional<std::string> priority_in(const Tokens& t, std::size_t from, std::size_t to) {
  for (std::size_t k = from; k < to; ++k) {
    if (auto p = match_priority(t, k)) return p->priority;
    const std::string& w = t[k].lower;
    if (w == "high" || w == "important" || w == "top") return std::string("high");
    if (w == "low") return std::string("low");
    if (w == "medium" || w == "normal") return std::string("medium");
  }
  return std::nullopt;
}

Command with_target(Verb verb, std::string_view message, const Tokens& t, std::size_t from,
                    std::size_t to, const char* what) {
  if (from >= to)
    return unknown(std::string("Which task should I ") + what +
                   "? Say a number from the list or its title, e.g. “" + what + " 2”.");
  Command c;
  c.verb = verb;
  c.target = target_of(message, t, from, to);
  if (!c.target.number && c.target.title.empty())
    return unknown(std::string("Which task should I ") + what + "?");
  return c;
}

}  // namespace

std::optional<int> number_target(std::string_view text) {
  const Tokens t = tokenize(text);
  if (t.empty() || t.size() > 4) return std::nullopt;
  std::size_t i = 0;
  if (is(t, i, "the")) ++i;
  if (i < t.size() && (t[i].lower == "task" || t[i].lower == "number" || t[i].lower == "no" ||
                       t[i].lower == "item"))
    ++i;
  if (i >= t.size()) return std::nullopt;
  std::string_view w = t[i].lower;
  std::optional<int> n;
  if (!w.empty() && w[0] == '#') w.remove_prefix(1);
  if (!w.empty() && w[0] >= '0' && w[0] <= '9') n = number_of(w);
  if (!n) n = ordinal_of(w);
  if (!n) return std::nullopt;
  ++i;
  if (i < t.size() && (t[i].lower == "one" || t[i].lower == "task")) ++i;
  if (i != t.size()) return std::nullopt;
  if (*n == 0) return std::nullopt;
  return n;
}

Command parse_command(std::string_view message, const Clock& clock) {
  message = trim(message);
  if (message.empty()) {
    Command c;
    c.verb = Verb::empty;
    return c;
  }
  Tokens t = tokenize(message);
  // Politeness around a command: "please add …", "can you list …", "could you please …".
  std::size_t polite = 0;
  if (is(t, 0, "can") || is(t, 0, "could") || is(t, 0, "would") || is(t, 0, "will"))
    if (is(t, 1, "you")) polite = 2;
  if (is(t, polite, "please") || is(t, polite, "pls") || is(t, polite, "kindly")) ++polite;
  if (polite > 0 && polite < t.size()) {
    message = message.substr(t[polite].begin);
    t = tokenize(message);
  }
  if (t.empty()) {
    Command c;
    c.verb = Verb::empty;
    return c;
  }
  const std::string& w0 = t[0].lower;
  const std::size_t n = t.size();

  // help
  static constexpr std::array<std::string_view, 7> kHelp = {"help", "?",        "hi",  "hello",
                                                            "hey",  "commands", "menu"};
  if ((one_of(w0, kHelp) && n <= 2) || (w0 == "what" && is(t, 1, "can") && is(t, 2, "you")) ||
      (w0 == "how" && (is(t, 1, "does") || is(t, 1, "do")))) {
    Command c;
    c.verb = Verb::help;
    return c;
  }
  // the answer to "which one?"
  if (auto number = number_target(message)) {
    Command c;
    c.verb = Verb::select;
    c.target.number = number;
    return c;
  }
  // add
  if (w0 == "add" || w0 == "create" || w0 == "new" ||
      ((w0 == "todo" || w0 == "task") && t[0].text.back() == ':') ||
      (w0 == "remind" && is(t, 1, "me") && is(t, 2, "to"))) {
    std::size_t i = w0 == "remind" ? 0 : 1;
    if (w0 != "remind") {
      if (is(t, i, "a") || is(t, i, "an")) ++i;
      if (is(t, i, "new") && (is(t, i + 1, "task") || is(t, i + 1, "todo"))) ++i;
      if (is(t, i, "task") || is(t, i, "todo") || is(t, i, "reminder")) ++i;
      if (is(t, i, "to") || is(t, i, "called") || is(t, i, "named")) ++i;
    }
    if (i >= n)
      return unknown("What should the new task say? For example: “add Pay rent tomorrow 9am”.");
    std::string_view text = message.substr(t[i].begin);
    if (!text.empty() && text.front() == ':') text.remove_prefix(1);
    Command c;
    c.verb = Verb::add;
    c.draft = parse_draft(text, clock);
    std::string_view title = unquote(c.draft.title);
    if (title.empty())
      return unknown(
          "That has a date or tags but no title. Say what the task is, e.g. “add Pay rent tomorrow "
          "9am”.");
    c.draft.title = std::string(title);
    return c;
  }
  // delete (one task only)
  static constexpr std::array<std::string_view, 6> kDelete = {"delete", "remove", "del",
                                                              "drop",   "trash",  "erase"};
  static constexpr std::array<std::string_view, 5> kWipe = {"clear", "wipe", "purge", "empty",
                                                            "nuke"};
  if (one_of(w0, kWipe)) return refuse(kNoBulk);
  if (one_of(w0, kDelete) || (w0 == "get" && is(t, 1, "rid") && is(t, 2, "of"))) {
    std::size_t i = w0 == "get" ? 3 : 1;
    if (bulk_target(t, i, n)) return refuse(kNoBulk);
    return with_target(Verb::remove, message, t, i, n, "delete");
  }
  // complete / reopen
  static constexpr std::array<std::string_view, 8> kComplete = {
      "complete", "done", "finish", "finished", "check", "tick", "close", "completed"};
  static constexpr std::array<std::string_view, 6> kReopen = {"reopen", "uncomplete", "uncheck",
                                                              "untick", "unfinish",   "re-open"};
  if (one_of(w0, kComplete)) {
    std::size_t i = 1;
    if (is(t, i, "off")) ++i;
    if (i < n && t[i].lower == "all")
      return refuse("I complete one task at a time: say “complete 2” or “complete buy milk”.");
    return with_target(Verb::complete, message, t, i, n, "complete");
  }
  if (one_of(w0, kReopen)) return with_target(Verb::reopen, message, t, 1, n, "reopen");
  // "I finished buy milk", "I've done 2", "I did the second one"
  if ((w0 == "i" || w0 == "i've" || w0 == "ive") && n >= 3) {
    static constexpr std::array<std::string_view, 4> kDid = {"finished", "completed", "done",
                                                             "did"};
    if (one_of(t[1].lower, kDid)) return with_target(Verb::complete, message, t, 2, n, "complete");
  }
  // mark X [as] done | not done | urgent | low priority
  if (w0 == "mark" && n >= 3) {
    std::size_t as = n;
    for (std::size_t k = n - 1; k >= 2; --k)
      if (t[k].lower == "as") {
        as = k;
        break;
      }
    std::size_t end = as;
    std::size_t state_from = as + 1;
    if (as == n) {  // "mark 2 done", "mark buy milk not done"
      end = n - 1;
      if (n >= 4 && t[n - 2].lower == "not") end = n - 2;
      if (n >= 4 && (t[n - 1].lower == "priority")) end = n - 2;
      state_from = end;
    }
    std::string state;
    for (std::size_t k = state_from; k < n; ++k) state += (k > state_from ? " " : "") + t[k].lower;
    static constexpr std::array<std::string_view, 5> kDone = {"done", "complete", "completed",
                                                              "finished", "checked"};
    static constexpr std::array<std::string_view, 8> kOpen = {
        "not done", "undone", "incomplete",    "pending",
        "open",     "todo",   "not completed", "uncompleted"};
    if (one_of(std::string_view(state), kDone))
      return with_target(Verb::complete, message, t, 1, end, "complete");
    if (one_of(std::string_view(state), kOpen))
      return with_target(Verb::reopen, message, t, 1, end, "reopen");
    if (auto p = priority_in(t, state_from, n)) {
      Command c = with_target(Verb::set_priority, message, t, 1, end, "change");
      if (c.verb == Verb::set_priority) c.priority = *p;
      return c;
    }
    return unknown(
        "I can mark a task as done, not done, or with a priority (“mark 2 as done”, “mark 2 as "
        "urgent”).");
  }
  // rename X to Y
  if (w0 == "rename" || w0 == "retitle" ||
      ((w0 == "change" || w0 == "set") &&
       (is(t, 1, "title") || (is(t, 1, "the") && is(t, 2, "title"))))) {
    std::size_t i = 1;
    if (w0 != "rename" && w0 != "retitle") {
      i = is(t, 1, "the") ? 3 : 2;
      if (is(t, i, "of")) ++i;
    }
    for (std::size_t k = i + 1; k + 1 < n; ++k) {
      if (t[k].lower != "to" && t[k].lower != "as") continue;
      Command c = with_target(Verb::rename, message, t, i, k, "rename");
      if (c.verb != Verb::rename) return c;
      c.text = std::string(unquote(message.substr(t[k + 1].begin)));
      if (c.text.empty()) break;
      return c;
    }
    return unknown("Say the new title after “to”: “rename 2 to Buy oat milk”.");
  }
  // reschedule X to WHEN
  static constexpr std::array<std::string_view, 7> kMove = {
      "move", "postpone", "reschedule", "push", "defer", "delay", "snooze"};
  const bool due_change =
      (w0 == "change" || w0 == "set") &&
      ((is(t, 1, "due") && is(t, 2, "date")) || (is(t, 1, "the") && is(t, 2, "due")));
  if (one_of(w0, kMove) || due_change) {
    std::size_t i = 1;
    if (due_change) {
      i = is(t, 1, "the") ? 4 : 3;
      if (is(t, i, "of") || is(t, i, "for")) ++i;
    }
    // The last "to"/"for"/"until" after which a date fills the rest; else a date at the end.
    // The first split (after a non-empty target) where a date fills the rest, preferring
    // "to WHEN" over a bare "WHEN" at the same place: "move go to gym to friday 4pm".
    for (std::size_t k = i + 1; k < n; ++k) {
      const std::string& w = t[k].lower;
      const bool joiner = w == "to" || w == "for" || w == "until" || w == "till";
      std::size_t from = joiner ? k + 1 : k;
      auto when = match_when(t, from, clock);
      if (!when || when->last != n) continue;
      Command c = with_target(Verb::reschedule, message, t, i, joiner ? k : from, "move");
      if (c.verb != Verb::reschedule) return c;
      c.due = resolve(*when, clock);
      if (!c.due) break;
      return c;
    }
    return unknown("I did not find the new date. Say it after “to”: “move 3 to friday 4pm”.");
  }
  // priority
  if (w0 == "prioritize" || w0 == "prioritise" || w0 == "deprioritize" || w0 == "deprioritise") {
    Command c = with_target(Verb::set_priority, message, t, 1, n, "prioritize");
    if (c.verb == Verb::set_priority) c.priority = w0[0] == 'd' ? "low" : "high";
    return c;
  }
  if ((w0 == "set" || w0 == "change") &&
      (is(t, 1, "priority") || (is(t, 1, "the") && is(t, 2, "priority")))) {
    // set [the] priority of X to P
    std::size_t i = is(t, 1, "the") ? 3 : 2;
    if (is(t, i, "of") || is(t, i, "for")) ++i;
    for (std::size_t k = n - 1; k > i; --k) {
      if (t[k].lower != "to") continue;
      auto p = priority_in(t, k + 1, n);
      if (!p) break;
      Command c = with_target(Verb::set_priority, message, t, i, k, "change");
      if (c.verb == Verb::set_priority) c.priority = *p;
      return c;
    }
    return unknown("Say the priority after “to”: “set priority of 2 to high”.");
  }
  if ((w0 == "make" || w0 == "set") && n >= 3) {
    // make X urgent | make X high priority | set X to low priority | set X priority to high
    std::size_t end = n - 1;
    if (t[end].lower == "priority") --end;
    if (end > 1 && t[end - 1].lower == "to") --end;
    if (end > 1 && t[end - 1].lower == "priority") --end;
    if (auto p = priority_in(t, end, n); p && end > 1) {
      Command c = with_target(Verb::set_priority, message, t, 1, end, "change");
      if (c.verb == Verb::set_priority) c.priority = *p;
      return c;
    }
  }
  // search
  if (w0 == "find" || w0 == "search" || w0 == "lookup" ||
      (w0 == "look" && (is(t, 1, "for") || is(t, 1, "up")))) {
    std::size_t i = w0 == "look" ? 2 : 1;
    if (is(t, i, "for") || is(t, i, "tasks") || is(t, i, "task")) ++i;
    if (is(t, i, "about") || is(t, i, "with") || is(t, i, "named") || is(t, i, "called")) ++i;
    if (i >= n) return unknown("What should I look for? For example: “find dentist”.");
    if (n - i == 1 && tag_of(t[i].text)) return *list_command(t, clock, true);
    Command c;
    c.verb = Verb::search;
    c.text = std::string(unquote(message.substr(t[i].begin)));
    return c;
  }
  // list
  static constexpr std::array<std::string_view, 13> kList = {
      "list",  "show", "display", "view",  "what",  "what's", "whats",
      "which", "see",  "get",     "tasks", "todos", "ls"};
  if (one_of(w0, kList)) return *list_command(t, clock, true);
  if (auto c = list_command(t, clock, false)) return *c;
  return unknown("");
}

}  // namespace todo::assistant
