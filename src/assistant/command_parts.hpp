#pragma once
// Internal to assistant/command.cpp and assistant/list_command.cpp: the pieces of the
// command parser shared by its two files. Pure.
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "assistant/command.hpp"

namespace todo::assistant::detail {

template <std::size_t N>
bool one_of(std::string_view w, const std::array<std::string_view, N>& words) {
  for (auto candidate : words)
    if (w == candidate) return true;
  return false;
}

// A list command ("list", "what's due today", "overdue", "show #home", "high priority
// tasks"): its filter and label. Without `verb_given`, only when every word is a list word
// and one says what to list (else nullopt: not a list command).
std::optional<Command> list_command(const std::vector<Token>& tokens, const Clock& clock,
                                    bool verb_given);

}  // namespace todo::assistant::detail
