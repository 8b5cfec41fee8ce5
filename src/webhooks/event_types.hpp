#pragma once
// The event types a webhook endpoint can ask for, and the body each delivery carries. Pure.
//   task.created, task.updated, task.completed, task.deleted  <- topic task-events
//   reminder.fired                                            <- topic reminders
//   webhook.test                                              <- POST .../webhooks/{id}/test
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/event.hpp"

namespace todo::webhooks {

inline constexpr std::array<std::string_view, 5> kEventTypes = {
    "task.created", "task.updated", "task.completed", "task.deleted", "reminder.fired"};
inline constexpr std::string_view kTestEventType = "webhook.test";

bool known_event_type(std::string_view type);

// The webhook event type of a bus event (task-events by its event_type, reminders ->
// reminder.fired), or nullopt for an event that is none of them (unreadable: poison).
std::optional<std::string> webhook_event_type(const bus::Event& event);

// The delivery body: the event JSON as published, with "type" (the webhook event type, as
// the Standard Webhooks payload convention names it) added as its first member. `payload`
// must be a JSON object's text.
std::string webhook_body(std::string_view type, std::string_view payload);

// Whether the JSON array text `event_types` (as stored) holds `type`.
bool wants_type(std::string_view event_types, std::string_view type);

// The JSON array text of `types` (stored as given: validated, unique).
std::string event_types_json(const std::vector<std::string>& types);

}  // namespace todo::webhooks
