// Thin HTTP handlers: authorize (sessions only), validate, run a unit on the token store,
// shape the reply.
#include "tokens/tokens_module.hpp"

#include <boost/json.hpp>

#include "app/platform.hpp"
#include "auth/access_token.hpp"
#include "auth/session.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/access_token_store.hpp"
#include "storage/await.hpp"
#include "tokens/tokens_input.hpp"

namespace todo::tokens {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using status = http::beast_http::status;

constexpr const char* kCreatedMetric = "todo_tokens_created_total";

struct TokenDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
};

json::value time_or_null(const std::optional<Millis>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::array scope_array(auth::ScopeSet set) {
  json::array out;
  for (const auto& s : auth::kScopeNames)
    if (auth::has_scope(set, s.scope)) out.emplace_back(s.name);
  return out;
}

// A token as lists show it: never the secret (the row does not have it) nor its hash.
json::object token_json(const storage::AccessTokenRow& t, Millis now) {
  return {{"id", t.id},
          {"name", t.name},
          {"prefix", t.prefix},
          {"scopes", scope_array(auth::parse_scopes_text(t.scopes))},
          {"created_at", format_rfc3339(t.created_at)},
          {"last_used_at", time_or_null(t.last_used_at)},
          {"expires_at", time_or_null(t.expires_at)},
          {"expired", t.expires_at.has_value() && *t.expires_at <= now}};
}

Error too_many_tokens() {
  return Error::make(ErrorKind::conflict, "at most " + std::to_string(kMaxTokensPerUser) +
                                              " personal access tokens may be in force at once; "
                                              "revoke one first");
}

asio::awaitable<http::Reply> create(TokenDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);  // sessions only
  if (!user) co_return user.error();
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  const Millis now = now_millis();
  auto input = parse_new_token(*body, now);
  if (!input) co_return input.error();

  const std::string secret = auth::new_access_token();
  storage::AccessTokenRow row{"pat_" + random_hex(16),
                              *user,
                              input->name,
                              auth::access_token_hash(secret),
                              auth::access_token_shown_prefix(secret),
                              auth::scopes_text(input->scopes),
                              now,
                              std::nullopt,
                              input->expires_at,
                              std::nullopt};
  auto insert = [row](storage::Tx& tx) -> Result<Unit> {
    auto& store = storage::access_tokens(tx);
    if (store.count_active(row.user_id, row.created_at) >= kMaxTokensPerUser)
      return too_many_tokens();
    // The account may be deleted between the session check and this insert: the foreign key
    // then fails, and the request gets the deleted account's 401, not a 500.
    try {
      store.insert(row);
    } catch (storage::DbError& e) {
      if (e.missing_reference) e.answer = account_deleted_error();
      throw;
    }
    return Unit{};
  };
  auto stored = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(insert));
  if (!stored) co_return stored.error();
  s.metrics.add(kCreatedMetric, "", 1);
  json::object out = token_json(row, now);
  out.erase("expired");
  out["token"] = secret;  // the one time the secret is shown
  co_return http::json_response(status::created, json::value(std::move(out)), ctx.request);
}

asio::awaitable<http::Reply> list(TokenDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto read = [u = *user](storage::Tx& tx) {
    return Result<std::vector<storage::AccessTokenRow>>(storage::access_tokens(tx).list(u));
  };
  auto rows = co_await storage::db_read<std::vector<storage::AccessTokenRow>>(s.db, s.metrics,
                                                                              std::move(read));
  if (!rows) co_return rows.error();
  const Millis now = now_millis();
  json::array items;
  for (const auto& row : *rows) items.push_back(token_json(row, now));
  co_return http::json_response(status::ok, json::value({{"items", std::move(items)}}),
                                ctx.request);
}

asio::awaitable<http::Reply> revoke(TokenDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  const std::string id = ctx.param("id");
  auto unit = [u = *user, id](storage::Tx& tx) -> Result<Unit> {
    if (!storage::access_tokens(tx).revoke(u, id, now_millis()))
      return Error::make(ErrorKind::not_found,
                         "no personal access token in force has this id: " + id.substr(0, 64));
    return Unit{};
  };
  auto revoked = co_await storage::db_write<Unit>(s.db, s.metrics, std::move(unit));
  if (!revoked) co_return revoked.error();
  s.authenticator.access_token_revoked(id);  // refused by this process from now on
  co_return http::empty_response(status::no_content, ctx.request);
}

class TokensModule final : public app::Module {
 public:
  TokensModule(storage::Database& db, ops::Metrics& metrics,
               const auth::Authenticator& authenticator)
      : deps_{db, metrics, authenticator} {
    metrics.describe(kCreatedMetric, "counter", "Personal access tokens created.");
    metrics.add(kCreatedMetric, "", 0);
  }

  std::string_view name() const override { return "tokens"; }
  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.add(verb::post, "/api/{user_id}/tokens", http::with(deps_, create));
    router.add(verb::get, "/api/{user_id}/tokens", http::with(deps_, list));
    router.add(verb::delete_, "/api/{user_id}/tokens/{id}", http::with(deps_, revoke));
  }

 private:
  TokenDeps deps_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<app::NoOptions>>(
      "tokens", "Personal access tokens", nullptr, nullptr,
      [](app::Platform& p, const app::NoOptions&) -> std::unique_ptr<app::Module> {
        return std::make_unique<TokensModule>(p.db, p.metrics, p.authenticator);
      });
}

}  // namespace todo::tokens
