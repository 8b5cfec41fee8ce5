#include "email/email_consumers.hpp"

#include <boost/json/value.hpp>

#include "core/log.hpp"
#include "core/time.hpp"
#include "events/task_event_reader.hpp"
#include "storage/email_store.hpp"
#include "storage/preference_store.hpp"
#include "storage/user_store.hpp"

namespace todo::email {
namespace {

namespace json = boost::json;

// The payload as an object (parsed once per event for every consumer: bus::Event::json).
const json::object* object_of(const bus::Event& event) {
  return event.json().if_object();
}

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<Millis> time_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return parse_rfc3339(v->as_string());
}

std::optional<std::int64_t> task_id_of(const json::object& o) {
  const auto* v = o.if_contains("task_id");
  if (!v || !v->is_int64() || v->as_int64() <= 0) return std::nullopt;
  return v->as_int64();
}

storage::OutgoingEmail outgoing(RenderedEmail rendered, std::string source_key,
                                const bus::Event& event, std::string kind, std::int64_t task_id,
                                Millis now) {
  storage::OutgoingEmail e;
  e.source_key = std::move(source_key);
  e.user_id = event.user_id;
  e.kind = std::move(kind);
  e.task_id = task_id;
  e.recipient = std::move(rendered.recipient);
  e.headers = std::move(rendered.headers);
  e.text_body = std::move(rendered.text);
  e.html_body = std::move(rendered.html);
  e.next_attempt_at = now;
  e.created_at = now;
  return e;
}

void wake_if_done(const EnqueueContext& context, std::span<const Outcome> outcomes) {
  for (Outcome o : outcomes)
    if (o == Outcome::done) {
      if (context.enqueued) context.enqueued();
      return;
    }
}

}  // namespace

std::vector<Outcome> ReminderEmails::handle(storage::Tx& tx, std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  const Millis now = now_millis();
  for (const auto& event : events) {
    const json::object* o = object_of(event);
    auto task_id = o ? task_id_of(*o) : std::nullopt;
    auto remind_at = o ? time_field(*o, "remind_at") : std::nullopt;
    if (!task_id || !remind_at) {
      log::error("email-reminders: event {} given up: not a reminders event", event.event_id);
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    outcomes.push_back(Outcome::done);
    auto prefs = storage::preferences_or_defaults(tx, event.user_id);
    if (!prefs.email_reminders) continue;
    auto user = storage::users(tx).find_by_id(event.user_id);
    if (!user) continue;  // the account was deleted meanwhile
    ReminderContent c;
    c.event_id = event.event_id;
    c.to_email = user->email;
    c.to_name = user->name;
    c.task_id = *task_id;
    c.title = string_field(*o, "title");
    c.due_at = time_field(*o, "due_at");
    c.remind_at = *remind_at;
    c.timezone = prefs.timezone;
    c.unsubscribe_token = context_.tokens->issue(event.user_id);
    storage::email_outbox(tx).enqueue(outgoing(render_reminder(context_.settings, c, now),
                                               "reminder:" + event.event_id, event, "reminder",
                                               *task_id, now));
  }
  return outcomes;
}

void ReminderEmails::committed(std::span<const bus::Event>, std::span<const Outcome> outcomes,
                               Millis) {
  wake_if_done(context_, outcomes);
}

bool CompletionNotices::wants(const bus::Event& event) const {
  // No source: a change the platform made itself; "web": the user's own browser.
  auto from_elsewhere = [](std::string_view source) { return !source.empty() && source != "web"; };
  if (event.facts.known)
    return event.facts.event_type == "completed" && from_elsewhere(event.facts.source);
  const json::object* o = object_of(event);
  if (!o) return true;  // to give it up
  if (string_field(*o, "event_type") != "completed") return false;
  return from_elsewhere(string_field(*o, "source"));
}

std::vector<Outcome> CompletionNotices::handle(storage::Tx& tx,
                                               std::span<const bus::Event> events) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(events.size());
  const Millis now = now_millis();
  for (const auto& event : events) {
    auto task_event = read_task_event(event.json());
    if (!task_event) {
      log::error("email-notices: event {} given up: {}", event.event_id, task_event.error().detail);
      outcomes.push_back(Outcome::give_up);
      continue;
    }
    outcomes.push_back(Outcome::done);
    if (!wants(event)) continue;  // over Dapr every event of the topic arrives
    auto prefs = storage::preferences_or_defaults(tx, event.user_id);
    if (!prefs.completion_notices) continue;
    auto user = storage::users(tx).find_by_id(event.user_id);
    if (!user) continue;
    const auto& task = task_event->task_data->as_object();
    NoticeContent c;
    c.event_id = event.event_id;
    c.to_email = user->email;
    c.to_name = user->name;
    c.task_id = task_event->task_id;
    c.title = string_field(task, "title");
    c.source = string_field(event.json().as_object(), "source");
    c.completed_at = time_field(task, "completed_at").value_or(event.created_at);
    c.timezone = prefs.timezone;
    storage::email_outbox(tx).enqueue(outgoing(render_completion_notice(context_.settings, c, now),
                                               "notice:" + event.event_id, event, "completion",
                                               task_event->task_id, now));
  }
  return outcomes;
}

void CompletionNotices::committed(std::span<const bus::Event>, std::span<const Outcome> outcomes,
                                  Millis) {
  wake_if_done(context_, outcomes);
}

}  // namespace todo::email
