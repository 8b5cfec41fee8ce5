#include "email/preferences.hpp"

#include "core/field_errors.hpp"
#include "tasks/recurrence.hpp"
#include "tasks/task_writer.hpp"

namespace todo::email {

Result<storage::Preferences> parse_preferences(const boost::json::value& body) {
  if (!body.is_object())
    return Error::field(ErrorKind::validation, "body",
                        "must be a JSON object {email_reminders, completion_notices, timezone}");
  const auto& o = body.as_object();
  FieldErrors unknown;
  for (const auto& [key, value] : o)
    if (key != "email_reminders" && key != "completion_notices" && key != "timezone" &&
        key != "updated_at")
      unknown.add(std::string(key.substr(0, 64)),
                  "unknown field (email_reminders, completion_notices, timezone)");
  if (!unknown.empty()) return std::move(unknown).to_error(ErrorKind::bad_request);

  FieldErrors errors;
  storage::Preferences p;
  auto boolean = [&](const char* name, bool& target) {
    const auto* v = o.if_contains(name);
    if (!v)
      errors.add(name, "is required: true or false");
    else if (!v->is_bool())
      errors.add(name, "must be true or false");
    else
      target = v->as_bool();
  };
  boolean("email_reminders", p.email_reminders);
  boolean("completion_notices", p.completion_notices);
  const auto* tz = o.if_contains("timezone");
  if (!tz)
    errors.add("timezone", "is required: an IANA time zone name, e.g. Europe/Berlin");
  else if (!tz->is_string() || !is_known_timezone(tz->as_string()))
    errors.add("timezone", "must be a known IANA time zone name, e.g. Europe/Berlin");
  else
    p.timezone = std::string(tz->as_string());
  if (!errors.empty()) return std::move(errors).to_error(ErrorKind::validation);
  return p;
}

std::string preferences_json(const storage::Preferences& p) {
  std::string out = "{\"email_reminders\":";
  out += p.email_reminders ? "true" : "false";
  out += ",\"completion_notices\":";
  out += p.completion_notices ? "true" : "false";
  out += ",\"timezone\":";
  append_json_string(out, p.timezone);
  out += ",\"updated_at\":";
  append_json_time(out, p.updated_at ? std::optional<Millis>(p.updated_at) : std::nullopt);
  out += '}';
  return out;
}

}  // namespace todo::email
