// The smaller bodies and values clients send: webhook endpoints (webhooks/webhook_json.hpp),
// e-mail preferences (email/preferences.hpp), new access tokens (tokens/tokens_input.hpp),
// SSE resume positions (stream/resume.hpp: Last-Event-ID / ?last_event_id=), and durations
// and scope lists (config/duration.hpp, auth/scopes.hpp). The whole input goes to each.
// Invariants: refusals are 400/422 naming a field; what is accepted is within the documented
// limits, and preferences written back as JSON read back the same.
#include <boost/json.hpp>
#include <charconv>
#include <string>

#include "auth/scopes.hpp"
#include "config/duration.hpp"
#include "email/preferences.hpp"
#include "fuzz_support.hpp"
#include "stream/resume.hpp"
#include "tasks/recurrence.hpp"
#include "tokens/tokens_input.hpp"
#include "webhooks/event_types.hpp"
#include "webhooks/webhook_json.hpp"

using namespace todo;
namespace json = boost::json;

namespace {

constexpr Millis kNow = 1'790'000'000'000;

void check_refusal(const Error& e) {
  FUZZ_CHECK(e.kind == ErrorKind::bad_request || e.kind == ErrorKind::validation);
  FUZZ_CHECK(!e.errors.empty());
}

void check_json_inputs(const json::value& body) {
  for (bool create : {true, false}) {
    auto hook = webhooks::parse_webhook_input(body, create);
    if (!hook) {
      check_refusal(hook.error());
      continue;
    }
    if (create) FUZZ_CHECK(hook->url && hook->event_types);
    if (hook->event_types) {
      FUZZ_CHECK(!hook->event_types->empty() && hook->event_types->size() <= 5);
      for (const auto& t : *hook->event_types) FUZZ_CHECK(webhooks::known_event_type(t));
    }
  }

  if (auto prefs = email::parse_preferences(body); !prefs) {
    check_refusal(prefs.error());
  } else {
    FUZZ_CHECK(is_known_timezone(prefs->timezone));
    auto again = email::parse_preferences(json::parse(email::preferences_json(*prefs)));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->timezone == prefs->timezone &&
               again->email_reminders == prefs->email_reminders &&
               again->completion_notices == prefs->completion_notices);
  }

  if (auto token = tokens::parse_new_token(body, kNow); !token) {
    check_refusal(token.error());
  } else {
    FUZZ_CHECK(!token->name.empty() && token->scopes != 0 &&
               (token->scopes & ~auth::kAllScopes) == 0);
    if (token->expires_at)
      FUZZ_CHECK(*token->expires_at > kNow && *token->expires_at <= kNow + tokens::kMaxLifetime);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);

  if (auto id = stream::parse_last_event_id(text, "Last-Event-ID"); !id) {
    check_refusal(id.error());
    FUZZ_CHECK(id.error().errors[0].field == "Last-Event-ID");
  } else if (*id) {
    FUZZ_CHECK(**id >= 0 && **id < 1'000'000'000'000'000'000);
    auto again = stream::parse_last_event_id(std::to_string(**id), "last_event_id");
    FUZZ_CHECK(again.ok() && *again == *id);
  } else {
    FUZZ_CHECK(text.empty());
  }

  if (auto seconds = parse_duration_seconds(text)) FUZZ_CHECK(*seconds > 0);
  FUZZ_CHECK((auth::parse_scopes_text(text) & ~auth::kAllScopes) == 0);

  boost::system::error_code ec;
  json::value body = json::parse(text, ec);
  if (!ec) check_json_inputs(body);
  return 0;
}
