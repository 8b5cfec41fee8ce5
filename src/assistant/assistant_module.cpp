// Thin handler: authorize, validate the body, run the pure parser, shape the answer.
#include "assistant/assistant_module.hpp"

#include <boost/json.hpp>

#include "app/platform.hpp"
#include "assistant/draft.hpp"
#include "auth/authenticator.hpp"
#include "core/text_fold.hpp"
#include "core/time.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/preference_store.hpp"
#include "tasks/recurrence.hpp"

namespace todo::assistant {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using status = http::beast_http::status;

struct ParseDeps {
  const auth::Authenticator& authenticator;
  storage::Database& db;
  ops::Metrics& metrics;
};

json::value optional_time(const std::optional<Millis>& t) {
  if (!t) return nullptr;
  return json::string(format_rfc3339(*t));
}

// The answer: every field present (null when not recognised), chips in text order with
// UTF-16 offsets (start inclusive, end exclusive) into `text`.
json::object draft_json(const TaskDraft& d, std::string_view timezone) {
  json::array tags;
  for (const auto& tag : d.tags) tags.emplace_back(tag);
  json::array chips;
  for (const Chip& c : d.chips)
    chips.push_back(json::object{{"kind", c.kind},
                                 {"text", c.text},
                                 {"start", c.start},
                                 {"end", c.end},
                                 {"value", c.value}});
  json::value priority = nullptr, recurrence = nullptr;
  if (d.priority) priority = json::string(*d.priority);
  if (d.recurrence) recurrence = json::string(*d.recurrence);
  return json::object{{"title", d.title},
                      {"due_at", optional_time(d.due_at)},
                      {"remind_at", optional_time(d.remind_at)},
                      {"priority", std::move(priority)},
                      {"tags", std::move(tags)},
                      {"recurrence", std::move(recurrence)},
                      {"timezone", timezone},
                      {"chips", std::move(chips)}};
}

struct ParseRequest {
  std::string text;
  std::optional<std::string> timezone;  // absent: the user's saved one (preferences), else UTC
};

Result<ParseRequest> read_request(const json::value& body) {
  if (!body.is_object())
    return Error::field(ErrorKind::validation, "body", "must be a JSON object {text, timezone?}");
  const json::object& o = body.get_object();
  Error errors{ErrorKind::validation, ""};
  ParseRequest r;
  for (const auto& [key, value] : o)
    if (key != "text" && key != "timezone")
      errors.errors.push_back(
          {std::string(key), "is not a member of this request (text, timezone)"});
  const json::value* text = o.if_contains("text");
  if (!text || !text->is_string())
    errors.errors.push_back({"text", "is required: the line typed, a string"});
  else if (code_points(text->get_string()) > kMaxParseChars)
    errors.errors.push_back({"text", "must be at most 1000 characters"});
  else
    r.text = std::string(text->get_string());
  if (const json::value* tz = o.if_contains("timezone"); tz && !tz->is_null()) {
    if (!tz->is_string() || !is_known_timezone(tz->get_string()))
      errors.errors.push_back(
          {"timezone", "must be an IANA time zone such as Europe/Paris, or UTC"});
    else
      r.timezone = std::string(tz->get_string());
  }
  if (!errors.errors.empty()) {
    for (const auto& e : errors.errors)
      errors.detail += (errors.detail.empty() ? "" : "; ") + e.field + ": " + e.message;
    return errors;
  }
  return r;
}

asio::awaitable<http::Reply> parse_route(ParseDeps& s, http::RequestContext& ctx) {
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::tasks_read);
  if (!user) co_return user.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto request = read_request(*body);
  if (!request) co_return request.error();
  if (!request->timezone) {
    // The zone of the user's preferences (GET /api/{user_id}/preferences), UTC by default.
    auto zone_unit = [user = *user](storage::Tx& tx) {
      return Result<std::string>(storage::preferences_or_defaults(tx, user).timezone);
    };
    auto zone = co_await storage::db_read<std::string>(s.db, s.metrics, std::move(zone_unit));
    if (!zone) co_return zone.error();
    request->timezone = is_known_timezone(*zone) ? *zone : std::string("UTC");
  }
  auto clock = make_clock(now_millis(), *request->timezone);
  if (!clock)
    co_return Error::field(ErrorKind::validation, "timezone",
                           "must be an IANA time zone such as Europe/Paris");
  const TaskDraft draft = parse_draft(request->text, *clock);
  co_return http::json_response(status::ok, json::value(draft_json(draft, *request->timezone)),
                                ctx.request);
}

class AssistantModule final : public app::Module {
 public:
  AssistantModule(const auth::Authenticator& authenticator, storage::Database& db,
                  ops::Metrics& metrics)
      : deps_{authenticator, db, metrics} {}
  std::string_view name() const override { return "assistant"; }
  void add_routes(http::Router& router) override {
    router.add(http::beast_http::verb::post, "/api/{user_id}/tasks/parse",
               http::with(deps_, parse_route));
  }

 private:
  ParseDeps deps_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<app::NoOptions>>(
      "assistant", "Built-in assistant and quick add (assistant module)", nullptr, nullptr,
      [](app::Platform& p, const app::NoOptions&) -> std::unique_ptr<app::Module> {
        return std::make_unique<AssistantModule>(p.authenticator, p.db, p.metrics);
      });
}

}  // namespace todo::assistant
