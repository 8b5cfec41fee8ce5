#pragma once
// A task written in one line of English → its fields (the assistant's add path, and the
// quick add of POST /api/{user_id}/tasks/parse). Pure apart from libical's zone data.
//
//   "Pay rent tomorrow 9am !high #home every month"
//   → title "Pay rent", due_at tomorrow 09:00 local (as UTC), priority high, tags [home],
//     recurrence FREQ=MONTHLY, and one chip per recognised phrase.
//
// Recognised (assistant/when.hpp for the date words):
//   priority  !high !urgent !medium !med !low !1 !2 !3 p1 p2 p3, "high|medium|low priority",
//             "priority high|medium|low", "urgent" → high
//   tag       #word (a letter first; letters, digits, "-", "_" and non-ASCII after)
//   due       the first date/time expression; a later bare time fills a due without one
//   remind    "remind me [at|on|in] WHEN" (a bare time: on the due date when there is one),
//             "remind me N minutes|hours|days before" (before the due date);
//             a text starting "remind me to ..." reminds at the due date
//   recurrence "every …", "daily", … (when.hpp); due_at is then its first occurrence, and
//             the rule is checked with the task validation's libical check (rrule_error)
// Everything else, in order, is the title (white space collapsed).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assistant/when.hpp"
#include "core/time.hpp"

namespace todo::assistant {

// A recognised phrase. start/end are UTF-16 code-unit offsets into the text given (what
// JavaScript's string indices count), so a UI can strike or remove exactly that part;
// byte_begin/byte_end are the same in bytes of the UTF-8 text.
struct Chip {
  std::string kind;  // "due", "remind", "priority", "tag", "recurrence"
  std::string text;  // the phrase as written
  std::size_t start = 0, end = 0;
  std::size_t byte_begin = 0, byte_end = 0;
  std::string value;  // RFC 3339 UTC instant, "high", the tag, the RRULE
};

struct TaskDraft {
  std::string title;
  std::optional<Millis> due_at;
  std::optional<Millis> remind_at;
  std::optional<std::string> priority;  // "low" | "medium" | "high"
  std::vector<std::string> tags;
  std::optional<std::string> recurrence;
  std::vector<Chip> chips;  // in text order
};

// The fields `text` spells, read against `clock`.
TaskDraft parse_draft(std::string_view text, const Clock& clock);

// A priority word at tokens[i] ("!high", "urgent", "high priority", "p1"): the priority and
// how many tokens it took.
struct PriorityMatch {
  std::string priority;
  std::size_t len = 0;
};
std::optional<PriorityMatch> match_priority(const std::vector<Token>& tokens, std::size_t i);

// "#home" → "home"; nullopt when the token is not a tag.
std::optional<std::string> tag_of(std::string_view token);

}  // namespace todo::assistant
