#include "email/email_routes.hpp"

#include "auth/session.hpp"
#include "email/message.hpp"
#include "email/preferences.hpp"
#include "http/id_paging.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/preference_store.hpp"

namespace todo::email {
namespace {

namespace asio = boost::asio;
using status = http::beast_http::status;

asio::awaitable<http::Reply> get_preferences(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto unit = [u = *user](storage::Tx& tx) {
    return Result<storage::Preferences>(storage::preferences_or_defaults(tx, u));
  };
  auto p = co_await storage::db_read<storage::Preferences>(s.db, s.metrics, std::move(unit));
  if (!p) co_return p.error();
  co_return http::json_response(status::ok, preferences_json(*p), ctx.request);
}

asio::awaitable<http::Reply> put_preferences(RouteDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  auto parsed = parse_preferences(*body);
  if (!parsed) co_return parsed.error();
  parsed->user_id = *user;
  auto unit = [p = std::move(*parsed)](storage::Tx& tx) mutable {
    p.updated_at = now_millis();
    try {
      storage::preferences(tx).put(p);
    } catch (storage::DbError& e) {
      if (e.missing_reference) e.answer = account_deleted_error();
      throw;
    }
    return Result<storage::Preferences>(p);
  };
  auto saved = co_await storage::db_write<storage::Preferences>(s.db, s.metrics, std::move(unit));
  if (!saved) co_return saved.error();
  co_return http::json_response(status::ok, preferences_json(*saved), ctx.request);
}

// The token of ?token=, checked: the user it names, or the 400/403.
Result<std::string> token_user(const RouteDeps& s, const http::RequestContext& ctx) {
  // Two tokens: which user? (as every query parser)
  if (auto repeated = http::repeated_params_error(ctx.url.params())) return std::move(*repeated);
  auto it = ctx.url.params().find("token");
  if (it == ctx.url.params().end() || (*it).value.empty())
    return Error::field(ErrorKind::bad_request, "token",
                        "is required: the token of the unsubscribe link");
  if (auto user = s.tokens.verify((*it).value)) return *user;
  return Error::make(ErrorKind::forbidden,
                     "token: this unsubscribe link is not valid (altered or from another server)");
}

http::Response html_response(status code, std::string body, const http::Request& request) {
  http::Response res{code, request.version()};
  res.set(http::beast_http::field::content_type, "text/html; charset=utf-8");
  res.set(http::beast_http::field::cache_control, "no-store");
  // A page of our own markup only: no scripts, no frames, the form posts to this origin.
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
          "frame-ancestors 'none'");
  res.set("Referrer-Policy", "no-referrer");  // the URL holds the token
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

asio::awaitable<http::Reply> unsubscribe_page(RouteDeps& s, http::RequestContext& ctx) {
  auto user = token_user(s, ctx);
  if (!user) co_return user.error();
  // The token verified, so it is base64url and '.' only; escaped all the same.
  std::string token((*ctx.url.params().find("token")).value);
  co_return html_response(
      status::ok,
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>Unsubscribe</title></head>"
      "<body style=\"font-family:sans-serif;max-width:32rem;margin:3rem auto\">\n"
      "<h1>Stop reminder e-mails?</h1>\n<p>You will no longer get e-mails when a task's "
      "reminder fires. In-app notifications stay on; you can turn e-mails back on in your "
      "settings.</p>\n<form method=\"post\" action=\"/api/email/unsubscribe?token=" +
          html_escape(token) +
          "\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
          "<button type=\"submit\">Unsubscribe</button>\n</form>\n</body></html>\n",
      ctx.request);
}

asio::awaitable<http::Reply> unsubscribe(RouteDeps& s, http::RequestContext& ctx) {
  auto user = token_user(s, ctx);
  if (!user) co_return user.error();
  // RFC 8058 §3.1: the POST body is "List-Unsubscribe=One-Click" (form-encoded, or as a
  // multipart/form-data field, which also carries the pair's text).
  const std::string& body = ctx.request.body();
  const bool one_click = body.find("List-Unsubscribe=One-Click") != std::string::npos ||
                         (body.find("name=\"List-Unsubscribe\"") != std::string::npos &&
                          body.find("One-Click") != std::string::npos);
  if (!one_click)
    co_return Error::field(ErrorKind::bad_request, "body",
                           "must be List-Unsubscribe=One-Click (RFC 8058)");
  auto unit = [u = *user](storage::Tx& tx) {
    // false: the account is gone; nothing is sent to it anyway, so the answer is the same.
    storage::preferences(tx).unsubscribe_reminders(u, now_millis());
    return Result<Unit>(Unit{});
  };
  auto done = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
  if (!done) co_return done.error();
  auto accept = ctx.request.find(http::beast_http::field::accept);
  if (accept != ctx.request.end() && accept->value().find("text/html") != std::string::npos)
    co_return html_response(status::ok,
                            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<title>Unsubscribed</title></head><body style=\"font-family:"
                            "sans-serif;max-width:32rem;margin:3rem auto\">\n<h1>Unsubscribed"
                            "</h1>\n<p>You will no longer get reminder e-mails.</p>\n"
                            "</body></html>\n",
                            ctx.request);
  co_return http::json_response(status::ok, std::string("{\"email_reminders\":false}"),
                                ctx.request);
}

}  // namespace

void add_email_routes(http::Router& router, RouteDeps& deps) {
  using http::beast_http::verb;
  router.add(verb::get, "/api/{user_id}/preferences", http::with(deps, get_preferences));
  router.add(verb::put, "/api/{user_id}/preferences", http::with(deps, put_preferences));
  router.add(verb::get, "/api/email/unsubscribe", http::with(deps, unsubscribe_page));
  router.add(verb::post, "/api/email/unsubscribe", http::with(deps, unsubscribe));
}

}  // namespace todo::email
