#include "audit/audit_routes.hpp"

#include "audit/audit_query.hpp"
#include "auth/authenticate.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "tasks/task_writer.hpp"

namespace todo::audit {
namespace {

namespace asio = boost::asio;
using http::Response;

using http::problem;

asio::awaitable<Response> list_audit(Services& s, http::RequestContext& ctx) {
  auto user = authorize_path_user(ctx, s.config.jwt_secret, s.config.jwt);
  if (!user) co_return problem(user.error(), ctx);
  auto query = parse_audit_query(ctx.url.params());
  if (!query) co_return problem(query.error(), ctx);
  auto page_unit = [u = *user, q = std::move(*query)](storage::Tx& tx) {
    return Result<storage::AuditPage>(tx.list_audit(u, q));
  };
  auto page = co_await storage::db_read<storage::AuditPage>(s.db, s.metrics, std::move(page_unit));
  if (!page) co_return problem(page.error(), ctx);
  // Items are the stored events, spliced in as stored (they are our own JSON).
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    body += page->items[i].event_data;
  }
  body += "],\"next_cursor\":";
  if (page->next_before_id)
    append_json_string(body, encode_audit_cursor(*page->next_before_id));
  else
    body += "null";
  body += '}';
  co_return http::json_response(http::beast_http::status::ok, std::move(body), ctx.request);
}

}  // namespace

void register_audit_routes(http::Router& router, Services& s) {
  router.add(http::beast_http::verb::get, "/api/{user_id}/audit",
             [&s](http::RequestContext& ctx) { return list_audit(s, ctx); });
}

}  // namespace todo::audit
