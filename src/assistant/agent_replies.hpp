#pragma once
// The built-in assistant's sentences: tasks, lists and changes in plain English, with
// dates in the user's zone ("Tue 1 Dec 09:00"). Pure apart from libical's zone data.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "assistant/when.hpp"

namespace todo::assistant {

// "Tue 1 Dec 09:00" (the year added when it is not the clock's).
std::string format_when(Millis t, const Clock& clock);
// "every month", "every 2 weeks", "every Monday and Thursday", "every weekday".
std::string describe_rule(std::string_view rule);
// "due Tue 1 Dec 09:00, high, #home, every month" from a task object of the tools
// (task JSON); empty when it has none of these.
std::string describe_fields(const boost::json::object& task, const Clock& clock);
// How many tasks a numbered list shows (and so how far its numbers go).
constexpr std::size_t kListShown = 50;

// A numbered list of the tasks (task JSON objects), one per line: "1. Pay rent — due …".
// At most 50 lines, then "…and N more".
std::string numbered_list(const boost::json::array& tasks, const Clock& clock);
// “title” with typographic quotes.
std::string quoted(std::string_view title);

std::string help_text();
// Why `message` was not understood (`problem`, when the parser said), and examples.
std::string not_understood(std::string_view message, std::string_view problem);

}  // namespace todo::assistant
