#include "storage/reminder_store.hpp"

namespace todo::storage {

const char* reminder_state_name(ReminderState state) {
  switch (state) {
    case ReminderState::pending:
      return "pending";
    case ReminderState::fired:
      return "fired";
    case ReminderState::missed:
      return "missed";
    case ReminderState::cancelled:
      return "cancelled";
  }
  return "cancelled";
}

std::optional<ReminderState> parse_reminder_state(std::string_view name) {
  for (auto s : {ReminderState::pending, ReminderState::fired, ReminderState::missed,
                 ReminderState::cancelled})
    if (name == reminder_state_name(s)) return s;
  return std::nullopt;
}

}  // namespace todo::storage
