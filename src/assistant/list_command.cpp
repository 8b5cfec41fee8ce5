// List commands: which tasks a "list", "what's due today", "overdue" or "show #home" asks for
// (assistant/command.hpp).
#include <array>

#include "assistant/command_parts.hpp"

namespace todo::assistant::detail {
namespace {

using Tokens = std::vector<Token>;

// The millisecond before local midnight of `date` (due_after is exclusive).
Millis day_start(const Date& date, const Clock& clock) {
  return local_instant(date, 0, clock).value_or(clock.now);
}

}  // namespace

std::optional<Command> list_command(const Tokens& t, const Clock& clock, bool verb_given) {
  static constexpr std::array<std::string_view, 34> kVocabulary = {
      "list",  "show",    "display",    "view",    "what",      "what's",   "whats",
      "which", "my",      "tasks",      "task",    "todos",     "todo",     "me",
      "all",   "is",      "are",        "due",     "today",     "tomorrow", "this",
      "week",  "overdue", "late",       "pending", "completed", "done",     "open",
      "the",   "for",     "everything", "to-do",   "left",      "finished"};
  if (!verb_given) {
    // Without a verb, only list words: "today", "overdue", "my tasks", "#home", "urgent tasks".
    static constexpr std::array<std::string_view, 15> kKey = {
        "tasks",     "todos",  "today",     "tomorrow", "week", "overdue", "late",    "pending",
        "completed", "urgent", "important", "priority", "high", "low",     "finished"};
    static constexpr std::array<std::string_view, 6> kPriority = {"urgent", "important", "priority",
                                                                  "high",   "low",       "medium"};
    bool key = false;
    for (const auto& token : t) {
      const bool tag = tag_of(token.text).has_value();
      if (!one_of(token.lower, kVocabulary) && !tag && !one_of(token.lower, kPriority))
        return std::nullopt;
      key = key || tag || one_of(token.lower, kKey);
    }
    if (!key) return std::nullopt;
  }
  Command c;
  c.verb = Verb::list;
  ListFilter& f = c.filter;
  std::string when_label;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const std::string& w = t[k].lower;
    if (w == "overdue" || w == "late" || (w == "past" && is(t, k + 1, "due"))) {
      f.due_before = clock.now;
      f.due_after.reset();
      f.by_due = true;
      when_label = "overdue";
    } else if (w == "today" || w == "tomorrow") {
      const Date d = w == "today" ? clock.today : add_days(clock.today, 1);
      f.due_after = day_start(d, clock) - 1;
      f.due_before = day_start(add_days(d, 1), clock);
      f.by_due = true;
      when_label = "due " + w;
    } else if (w == "week" && k > 0 && (t[k - 1].lower == "this" || t[k - 1].lower == "the")) {
      f.due_after = day_start(clock.today, clock) - 1;
      f.due_before = day_start(add_days(clock.today, 7 - weekday_monday0(clock.today)), clock);
      f.by_due = true;
      when_label = "due this week";
    } else if (w == "completed" || w == "done" || w == "finished") {
      f.status = "completed";
    } else if (w == "all" || w == "everything") {
      f.status = "all";
    } else if (auto tag = tag_of(t[k].text)) {
      f.tag = *tag;
    } else if ((w == "tagged" || w == "tag") && k + 1 < t.size()) {
      std::string_view name = t[k + 1].text;
      if (!name.empty() && name[0] == '#') name.remove_prefix(1);
      if (!name.empty()) f.tag = std::string(name);
      ++k;
    } else if (auto p = match_priority(t, k)) {
      f.priority = p->priority;
      k += p->len - 1;
    } else if (w == "important") {
      f.priority = "high";
    }
  }
  std::string status_word = f.status == "all" ? "" : f.status + " ";
  f.label = status_word + (f.priority ? *f.priority + "-priority " : "") + "tasks" +
            (f.tag ? " tagged #" + *f.tag : "") + (when_label.empty() ? "" : " " + when_label);
  if (when_label == "overdue")
    f.label = (f.tag ? "overdue tasks tagged #" + *f.tag : "overdue tasks");
  return c;
}

}  // namespace todo::assistant::detail
