#include "assistant/agent_replies.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstdio>

#include "core/text_fold.hpp"

namespace todo::assistant {

namespace json = boost::json;

namespace {

constexpr std::array<const char*, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 7> kWeekdayLong = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                     "Friday", "Saturday", "Sunday"};

std::string_view string_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

std::string quoted(std::string_view title) {
  return "\xE2\x80\x9C" + std::string(title) + "\xE2\x80\x9D";
}

std::string format_when(Millis t, const Clock& clock) {
  auto z = zoned_time(t, clock.timezone);
  if (!z) return format_rfc3339(t);
  char buf[64];
  if (z->year == clock.local.year)
    std::snprintf(buf, sizeof buf, "%s %d %s %02d:%02d", kDayNames[z->weekday % 7], z->day,
                  kMonthNames[(z->month + 11) % 12], z->hour, z->minute);
  else
    std::snprintf(buf, sizeof buf, "%s %d %s %d %02d:%02d", kDayNames[z->weekday % 7], z->day,
                  kMonthNames[(z->month + 11) % 12], z->year, z->hour, z->minute);
  return buf;
}

std::string describe_rule(std::string_view rule) {
  std::string freq, interval = "1", byday;
  std::size_t pos = 0;
  while (pos <= rule.size()) {
    std::size_t end = rule.find(';', pos);
    if (end == std::string_view::npos) end = rule.size();
    std::string_view part = rule.substr(pos, end - pos);
    auto eq = part.find('=');
    if (eq != std::string_view::npos) {
      auto key = part.substr(0, eq), value = part.substr(eq + 1);
      if (key == "FREQ") freq = std::string(value);
      if (key == "INTERVAL") interval = std::string(value);
      if (key == "BYDAY") byday = std::string(value);
    }
    pos = end + 1;
  }
  if (byday == "MO,TU,WE,TH,FR") return "every weekday";
  if (byday == "SA,SU") return "every weekend";
  if (!byday.empty() && freq == "WEEKLY") {
    std::vector<std::string> days;
    for (std::size_t p = 0; p + 1 < byday.size(); p += 3)
      for (int d = 0; d < 7; ++d)
        if (byday.compare(p, 2, kRruleDays[d]) == 0) days.push_back(kWeekdayLong[d]);
    std::string out = interval == "1" ? "every " : "every " + interval + " weeks on ";
    for (std::size_t k = 0; k < days.size(); ++k)
      out += (k == 0 ? "" : k + 1 == days.size() ? " and " : ", ") + days[k];
    return out;
  }
  const char* unit = freq == "DAILY"     ? "day"
                     : freq == "WEEKLY"  ? "week"
                     : freq == "MONTHLY" ? "month"
                     : freq == "YEARLY"  ? "year"
                                         : nullptr;
  if (!unit) return "repeating (" + std::string(rule) + ")";
  if (interval == "1") return std::string("every ") + unit;
  if (interval == "2") return std::string("every other ") + unit;
  return "every " + interval + " " + unit + "s";
}

std::string describe_fields(const json::object& task, const Clock& clock) {
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty()) out += ", ";
    out += part;
  };
  if (auto due = string_of(task, "due_at"); !due.empty())
    if (auto t = parse_rfc3339(due)) add("due " + format_when(*t, clock));
  if (auto remind = string_of(task, "remind_at"); !remind.empty())
    if (auto t = parse_rfc3339(remind)) add("reminder " + format_when(*t, clock));
  if (auto p = string_of(task, "priority"); p == "high" || p == "low") add(std::string(p));
  if (const auto* tags = task.if_contains("tags"); tags && tags->is_array())
    for (const auto& tag : tags->get_array())
      if (tag.is_string()) add("#" + std::string(tag.get_string()));
  if (auto rule = string_of(task, "recurrence"); !rule.empty()) add(describe_rule(rule));
  return out;
}

std::string numbered_list(const json::array& tasks, const Clock& clock) {
  constexpr std::size_t kShown = kListShown;
  std::string out;
  for (std::size_t i = 0; i < tasks.size() && i < kShown; ++i) {
    if (!tasks[i].is_object()) continue;
    const json::object& task = tasks[i].get_object();
    out += std::to_string(i + 1) + ". " + std::string(string_of(task, "title"));
    const json::value* done = task.if_contains("completed");
    if (done && done->is_bool() && done->get_bool()) out += " (done)";
    std::string fields = describe_fields(task, clock);
    if (!fields.empty()) out += " \xE2\x80\x94 " + fields;
    out += '\n';
  }
  if (tasks.size() > kShown)
    out +=
        "\xE2\x80\xA6"
        "and " +
        std::to_string(tasks.size() - kShown) +
        " more (narrow it down with “find …”, “today” or “#tag”).\n";
  if (!out.empty()) out.pop_back();
  return out;
}

std::string help_text() {
  return "I manage your tasks. Try:\n"
         "• add Pay rent tomorrow 9am !high #home every month\n"
         "• list · list all · what's due today · this week · overdue · show #home\n"
         "• find dentist\n"
         "• complete 2 · reopen 2 · rename 2 to Buy oat milk · move 3 to friday 4pm · make 2 "
         "urgent · delete 2\n"
         "Numbers refer to the last list I showed; you can also use a task's title.";
}

std::string not_understood(std::string_view message, std::string_view problem) {
  if (!problem.empty()) return std::string(problem);
  std::string shown(truncate_utf8(message, 80));
  if (shown.size() < message.size()) shown += "\xE2\x80\xA6";
  return "I did not understand " + quoted(shown) +
         ". I understand task commands, for example “add Call mom tomorrow 5pm”, “what's due "
         "today” or “complete 2” (say “help” for more).";
}

}  // namespace todo::assistant
