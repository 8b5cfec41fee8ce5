#include "assistant/draft.hpp"

#include "tasks/recurrence.hpp"

namespace todo::assistant {
namespace {

std::optional<std::string> priority_word(std::string_view w) {
  if (w == "high" || w == "urgent" || w == "top") return "high";
  if (w == "medium" || w == "med" || w == "normal") return "medium";
  if (w == "low") return "low";
  return std::nullopt;
}

bool tag_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c >= 0x80;
}

// The chips are built from token ranges; `text` is the whole text parsed.
Chip make_chip(std::string_view text, const std::vector<Token>& t, std::size_t first,
               std::size_t last, std::string kind, std::string value) {
  Chip chip;
  chip.kind = std::move(kind);
  chip.byte_begin = t[first].begin;
  chip.byte_end = t[last - 1].end;
  chip.text = std::string(text.substr(chip.byte_begin, chip.byte_end - chip.byte_begin));
  chip.start = utf16_length(text.substr(0, chip.byte_begin));
  chip.end = chip.start + utf16_length(chip.text);
  chip.value = std::move(value);
  return chip;
}

// "remind me 30 minutes before": the offset in minutes and the tokens taken after "me".
std::optional<std::pair<int, std::size_t>> before_offset(const std::vector<Token>& t,
                                                         std::size_t i) {
  auto n = i < t.size() ? number_of(t[i].lower, true) : std::nullopt;
  if (!n || i + 2 >= t.size() || t[i + 2].lower != "before") return std::nullopt;
  std::string unit = t[i + 1].lower;
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  int minutes = 0;
  if (unit == "minute" || unit == "min")
    minutes = *n;
  else if (unit == "hour" || unit == "hr")
    minutes = *n * 60;
  else if (unit == "day")
    minutes = *n * 1440;
  else
    return std::nullopt;
  return std::pair{minutes, std::size_t{3}};
}

// Cuts the chips' byte ranges out of `text` and collapses white space.
std::string title_without(std::string_view text, std::size_t from, const std::vector<Chip>& chips) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = from;
  auto append = [&](std::string_view part) {
    for (char c : part) {
      const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (space) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
    }
  };
  for (const Chip& chip : chips) {
    if (chip.byte_begin > pos) append(text.substr(pos, chip.byte_begin - pos));
    if (!out.empty() && out.back() != ' ') out += ' ';
    pos = chip.byte_end;
  }
  if (pos < text.size()) append(text.substr(pos));
  // Punctuation or connectors left dangling by a removed phrase ("Pay rent, !high").
  auto trim = [&] {
    bool changed = true;
    while (changed) {
      changed = false;
      while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';' ||
                              out.back() == '-' || out.back() == ':')) {
        out.pop_back();
        changed = true;
      }
      while (!out.empty() && (out.front() == ' ' || out.front() == ',' || out.front() == ';')) {
        out.erase(out.begin());
        changed = true;
      }
    }
  };
  trim();
  // " , " left between two removed phrases
  for (std::size_t p; (p = out.find(" ,")) != std::string::npos;) out.erase(p, 1);
  return out;
}

}  // namespace

std::optional<std::string> tag_of(std::string_view token) {
  if (token.size() < 2 || token.size() > 51 || token[0] != '#') return std::nullopt;
  const unsigned char first = static_cast<unsigned char>(token[1]);
  if (first >= '0' && first <= '9') return std::nullopt;  // "#2" is a number
  for (std::size_t k = 1; k < token.size(); ++k)
    if (!tag_char(static_cast<unsigned char>(token[k]))) return std::nullopt;
  return std::string(token.substr(1));
}

std::optional<PriorityMatch> match_priority(const std::vector<Token>& t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  const std::string& w = t[i].lower;
  if (w.size() > 1 && w[0] == '!') {
    std::string_view rest = std::string_view(w).substr(1);
    if (rest == "1" || rest == "!!") return PriorityMatch{"high", 1};
    if (rest == "2") return PriorityMatch{"medium", 1};
    if (rest == "3") return PriorityMatch{"low", 1};
    if (auto p = priority_word(rest)) return PriorityMatch{*p, 1};
    if (rest == "important") return PriorityMatch{"high", 1};
    return std::nullopt;
  }
  if (w == "p1") return PriorityMatch{"high", 1};
  if (w == "p2") return PriorityMatch{"medium", 1};
  if (w == "p3") return PriorityMatch{"low", 1};
  if (w == "urgent") return PriorityMatch{"high", 1};
  if (auto p = priority_word(w); p && is(t, i + 1, "priority")) return PriorityMatch{*p, 2};
  if (w == "priority" && i + 1 < t.size())
    if (auto p = priority_word(t[i + 1].lower)) return PriorityMatch{*p, 2};
  return std::nullopt;
}

TaskDraft parse_draft(std::string_view text, const Clock& clock) {
  TaskDraft d;
  const std::vector<Token> t = tokenize(text);
  std::optional<When> due;
  std::optional<When> remind;
  std::optional<int> remind_before;  // minutes before the due date
  std::optional<Repeat> repeat;
  std::size_t due_chip = SIZE_MAX, remind_chip = SIZE_MAX, repeat_chip = SIZE_MAX;
  // "remind me to call mom at 5pm": a task with a reminder at its due time; the three
  // words are not part of the title.
  const bool remind_at_due = is(t, 0, "remind") && is(t, 1, "me") && is(t, 2, "to") && t.size() > 3;
  std::size_t i = 0;
  std::size_t title_from = 0;
  if (remind_at_due) i = 3, title_from = t[3].begin;
  while (i < t.size()) {
    if (auto p = match_priority(t, i); p && !d.priority) {
      d.priority = p->priority;
      d.chips.push_back(make_chip(text, t, i, i + p->len, "priority", p->priority));
      i += p->len;
      continue;
    }
    if (auto tag = tag_of(t[i].text)) {
      bool seen = false;
      for (const auto& existing : d.tags) seen = seen || existing == *tag;
      if (!seen && d.tags.size() < 20) d.tags.push_back(*tag);
      d.chips.push_back(make_chip(text, t, i, i + 1, "tag", *tag));
      ++i;
      continue;
    }
    if (!remind && !remind_before && is(t, i, "remind") && is(t, i + 1, "me")) {
      std::size_t j = i + 2;
      if (auto before = before_offset(t, j)) {
        remind_before = before->first;
        d.chips.push_back(make_chip(text, t, i, j + before->second, "remind", ""));
        remind_chip = d.chips.size() - 1;
        i = j + before->second;
        continue;
      }
      if (auto w = match_when(t, j, clock)) {
        w->first = i;
        remind = w;
        d.chips.push_back(make_chip(text, t, i, w->last, "remind", ""));
        remind_chip = d.chips.size() - 1;
        i = w->last;
        continue;
      }
    }
    if (!repeat) {
      if (auto r = match_repeat(t, i)) {
        repeat = r;
        d.chips.push_back(make_chip(text, t, r->first, r->last, "recurrence", r->rule));
        repeat_chip = d.chips.size() - 1;
        i = r->last;
        continue;
      }
    }
    if (auto w = match_when(t, i, clock)) {
      if (!due) {
        due = w;
        d.chips.push_back(make_chip(text, t, w->first, w->last, "due", ""));
        due_chip = d.chips.size() - 1;
        i = w->last;
        continue;
      }
      // A later bare time completes a due date given without one ("tomorrow !high 9am").
      if (!w->date && !w->instant && w->minutes && due->date && !due->minutes && !due->instant) {
        due->minutes = w->minutes;
        d.chips.push_back(make_chip(text, t, w->first, w->last, "due", ""));
        i = w->last;
        continue;
      }
    }
    ++i;
  }
  // Dates.
  if (repeat) {
    d.due_at = first_occurrence(*repeat, due, clock);
    // The libical check of the task validation (an assistant-made rule must be one the
    // REST API accepts).
    if (d.due_at && !rrule_error(repeat->rule)) d.recurrence = repeat->rule;
  } else if (due) {
    d.due_at = resolve(*due, clock);
  }
  if (remind) {
    // A bare time reminds on the due date when there is one.
    if (!remind->date && !remind->instant && remind->minutes && d.due_at && due && due->date) {
      When on_due = *remind;
      on_due.date = due->date;
      d.remind_at = resolve(on_due, clock);
    } else {
      d.remind_at = resolve(*remind, clock);
    }
  } else if (remind_before && d.due_at) {
    d.remind_at = *d.due_at - static_cast<Millis>(*remind_before) * 60'000;
  } else if (remind_at_due) {
    d.remind_at = d.due_at;
  }
  auto set_value = [&](std::size_t index, const std::optional<Millis>& value) {
    if (index < d.chips.size() && value) d.chips[index].value = format_rfc3339(*value);
  };
  set_value(due_chip, d.due_at);
  set_value(remind_chip, d.remind_at);
  if (repeat_chip < d.chips.size() && !d.recurrence) d.chips.erase(d.chips.begin() + repeat_chip);
  // Every chip of a kind carries that kind's value (a due split in two parts).
  for (auto& chip : d.chips)
    if (chip.kind == "due" && d.due_at) chip.value = format_rfc3339(*d.due_at);
  // A chip whose value could not be computed says nothing: drop it, keep its words.
  std::erase_if(d.chips, [](const Chip& c) { return c.value.empty(); });
  d.title = title_without(text, title_from, d.chips);
  return d;
}

}  // namespace todo::assistant
