#include "webhooks/webhook_routes.hpp"

#include <charconv>

#include "core/random.hpp"
#include "http/id_paging.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/webhook_store.hpp"
#include "tasks/task_writer.hpp"
#include "webhooks/event_types.hpp"
#include "webhooks/signature.hpp"
#include "webhooks/webhook_json.hpp"

namespace todo::webhooks {
namespace {

namespace asio = boost::asio;
using status = http::beast_http::status;

Error no_such_webhook() {
  return Error::make(ErrorKind::not_found, "no such webhook");
}

Result<std::int64_t> webhook_id(const http::RequestContext& ctx) {
  if (auto id = http::parse_positive_id(ctx.param("id"))) return *id;
  return no_such_webhook();
}

// The address check of a URL, on the CPU pool (getaddrinfo blocks). A name that does not
// resolve is the user's to fix: 422 naming url, like a refused address.
asio::awaitable<Status> check_url(RouteDeps& s, const std::string& url) {
  auto syntax = s.guard.check_syntax(url);
  if (!syntax) co_return syntax.error();
  auto resolve = [&guard = s.guard, url] {
    auto target = guard.resolve(url);
    if (target) return Status(Unit{});
    Error e = target.error();
    if (e.kind == ErrorKind::unavailable) {
      e = Error::field(ErrorKind::validation, "url",
                       e.detail.substr(e.detail.find(':') + 2));  // "host x does not resolve..."
    }
    return Status(std::move(e));
  };
  auto checked = co_await s.cpu.run(std::move(resolve));
  if (!checked) co_return checked.error();
  co_return std::move(*checked);
}

asio::awaitable<http::Reply> create_webhook(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto input = parse_webhook_input(*body, true);
  if (!input) co_return input.error();
  std::string url = *input->url;
  auto checked = co_await check_url(s, url);
  if (!checked) co_return checked.error();
  storage::Webhook w;
  w.user_id = *user;
  w.url = url;
  w.event_types = event_types_json(*input->event_types);
  w.secret = make_secret();
  w.enabled = input->enabled.value_or(true);
  if (!w.enabled) w.disabled_reason = "disabled by its user";
  w.created_at = w.updated_at = now_millis();
  auto unit = [w, max = s.max_per_user](storage::Tx& tx) mutable -> Result<storage::Webhook> {
    auto& store = storage::webhooks(tx);
    if (store.count(w.user_id) >= max)
      return Error::make(ErrorKind::conflict,
                         "at most " + std::to_string(max) + " webhooks per user");
    w.id = store.insert(w);
    return w;
  };
  auto made = co_await storage::db_write<storage::Webhook>(s.db, s.metrics, std::move(unit));
  if (!made) co_return made.error();
  // Before the answer: every change the client makes once it has it is delivered.
  if (s.endpoint_users) s.endpoint_users->add(made->user_id);
  std::string out;
  append_webhook_json(out, *made, true);
  co_return http::json_response(status::created, std::move(out), ctx.request);
}

asio::awaitable<http::Reply> list_webhooks(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto unit = [u = *user](storage::Tx& tx) {
    return Result<std::vector<storage::Webhook>>(storage::webhooks(tx).list(u));
  };
  auto hooks =
      co_await storage::db_read<std::vector<storage::Webhook>>(s.db, s.metrics, std::move(unit));
  if (!hooks) co_return hooks.error();
  co_return http::json_response(status::ok, webhook_list_json(*hooks), ctx.request);
}

asio::awaitable<http::Reply> get_webhook(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto id = webhook_id(ctx);
  if (!id) co_return id.error();
  auto unit = [u = *user, id = *id](storage::Tx& tx) -> Result<storage::Webhook> {
    auto w = storage::webhooks(tx).find(u, id);
    if (!w) return no_such_webhook();
    return *w;
  };
  auto w = co_await storage::db_read<storage::Webhook>(s.db, s.metrics, std::move(unit));
  if (!w) co_return w.error();
  std::string out;
  append_webhook_json(out, *w);
  co_return http::json_response(status::ok, std::move(out), ctx.request);
}

asio::awaitable<http::Reply> patch_webhook(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto id = webhook_id(ctx);
  if (!id) co_return id.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto input = parse_webhook_input(*body, false);
  if (!input) co_return input.error();
  if (input->url) {
    std::string url = *input->url;
    auto checked = co_await check_url(s, url);
    if (!checked) co_return checked.error();
  }
  auto unit = [u = *user, id = *id, in = *input](storage::Tx& tx) -> Result<storage::Webhook> {
    auto& store = storage::webhooks(tx);
    auto w = store.find(u, id);
    if (!w) return no_such_webhook();
    if (in.url) w->url = *in.url;
    if (in.event_types) w->event_types = event_types_json(*in.event_types);
    if (in.enabled && *in.enabled && !w->enabled) {  // re-enabled: a new run of failures
      w->enabled = true;
      w->disabled_reason.reset();
      w->consecutive_failures = 0;
    } else if (in.enabled && !*in.enabled && w->enabled) {
      w->enabled = false;
      w->disabled_reason = "disabled by its user";
    }
    w->updated_at = now_millis();
    store.update(*w);
    return *w;
  };
  auto w = co_await storage::db_write<storage::Webhook>(s.db, s.metrics, std::move(unit));
  if (!w) co_return w.error();
  std::string out;
  append_webhook_json(out, *w);
  co_return http::json_response(status::ok, std::move(out), ctx.request);
}

asio::awaitable<http::Reply> delete_webhook(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto id = webhook_id(ctx);
  if (!id) co_return id.error();
  auto unit = [u = *user, id = *id](storage::Tx& tx) -> Status {
    if (!storage::webhooks(tx).remove(u, id)) return no_such_webhook();
    return Unit{};
  };
  auto done = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
  if (!done) co_return done.error();
  co_return http::empty_response(status::no_content, ctx.request);
}

asio::awaitable<http::Reply> send_test(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto id = webhook_id(ctx);
  if (!id) co_return id.error();
  auto unit = [u = *user, id = *id](storage::Tx& tx) -> Result<storage::WebhookDelivery> {
    auto& store = storage::webhooks(tx);
    auto w = store.find(u, id);
    if (!w) return no_such_webhook();
    if (!w->enabled)
      return Error::make(ErrorKind::conflict, "the webhook is disabled: enable it first");
    const Millis now = now_millis();
    storage::WebhookDelivery d;
    d.webhook_id = id;
    d.user_id = u;
    d.event_id = time_ordered_uuid(now);
    d.msg_id = "msg_" + time_ordered_uuid(now);
    d.event_type = std::string(kTestEventType);
    std::string payload = "{\"event_id\":";
    append_json_string(payload, d.event_id);
    payload += ",\"user_id\":";
    append_json_string(payload, u);
    payload += ",\"webhook_id\":" + std::to_string(id) + ",\"timestamp\":";
    append_json_time(payload, now);
    payload += '}';
    d.payload = webhook_body(kTestEventType, payload);
    d.next_attempt_at = now;
    d.created_at = now;
    store.add_delivery(d);
    return d;
  };
  auto d = co_await storage::db_write<storage::WebhookDelivery>(s.db, s.metrics, std::move(unit));
  if (!d) co_return d.error();
  s.queued();
  std::string out = "{\"event_id\":";
  append_json_string(out, d->event_id);
  out += ",\"msg_id\":";
  append_json_string(out, d->msg_id);
  out += '}';
  co_return http::json_response(status::accepted, std::move(out), ctx.request);
}

using PageQuery = http::IdPage;

Result<PageQuery> parse_page_query(const boost::urls::params_view& params) {
  PageQuery q;
  std::vector<FieldError> errors;
  http::refuse_repeated_params(params, errors);
  for (const auto& p : params) {
    std::string_view key = p.key;
    std::string_view value = p.value;
    if (key.empty() && value.empty()) continue;
    if (!http::read_id_page_param(key, value, q, errors))
      errors.push_back(
          {std::string(key.substr(0, 64)), "is not a known parameter (limit, cursor)"});
  }
  if (errors.empty()) return q;
  return http::query_error(std::move(errors));
}

asio::awaitable<http::Reply> list_deliveries(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto id = webhook_id(ctx);
  if (!id) co_return id.error();
  auto query = parse_page_query(ctx.url.params());
  if (!query) co_return query.error();
  auto unit = [u = *user, id = *id, q = *query](storage::Tx& tx) -> Result<storage::DeliveryPage> {
    auto& store = storage::webhooks(tx);
    if (!store.find(u, id)) return no_such_webhook();
    return store.deliveries(u, id, q.before_id, q.limit);
  };
  auto page = co_await storage::db_read<storage::DeliveryPage>(s.db, s.metrics, std::move(unit));
  if (!page) co_return page.error();
  co_return http::json_response(status::ok, delivery_page_json(*page), ctx.request);
}

}  // namespace

void add_webhook_routes(http::Router& router, RouteDeps& deps) {
  using http::beast_http::verb;
  router.add(verb::post, "/api/{user_id}/webhooks", http::with(deps, create_webhook));
  router.add(verb::get, "/api/{user_id}/webhooks", http::with(deps, list_webhooks));
  router.add(verb::get, "/api/{user_id}/webhooks/{id}", http::with(deps, get_webhook));
  router.add(verb::patch, "/api/{user_id}/webhooks/{id}", http::with(deps, patch_webhook));
  router.add(verb::delete_, "/api/{user_id}/webhooks/{id}", http::with(deps, delete_webhook));
  router.add(verb::post, "/api/{user_id}/webhooks/{id}/test", http::with(deps, send_test));
  router.add(verb::get, "/api/{user_id}/webhooks/{id}/deliveries",
             http::with(deps, list_deliveries));
}

}  // namespace todo::webhooks
