#include "auth/authenticate.hpp"

#include "auth/jwt.hpp"
#include "core/time.hpp"

namespace todo {
namespace {

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=')
      return part.substr(name.size() + 1);
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

bool is_safe_method(http::beast_http::verb v) {
  using http::beast_http::verb;
  return v == verb::get || v == verb::head || v == verb::options;
}

// The Origin (when sent) must name the Host the request was sent to.
bool same_origin(const http::Request& req) {
  auto origin = req.find(http::beast_http::field::origin);
  if (origin == req.end()) {
    auto site = req.find("Sec-Fetch-Site");
    return site == req.end() || site->value() != "cross-site";
  }
  auto host = req.find(http::beast_http::field::host);
  if (host == req.end()) return false;
  std::string_view o = origin->value();
  auto scheme_end = o.find("://");
  return scheme_end != std::string_view::npos && o.substr(scheme_end + 3) == host->value();
}

}  // namespace

Result<JwtClaims> authenticate_claims(const http::RequestContext& ctx, const std::string& secret,
                                      const JwtOptions& options) {
  const auto& req = ctx.request;
  std::string_view token;
  bool from_cookie = false;
  if (auto auth = req.find(http::beast_http::field::authorization); auth != req.end()) {
    std::string_view value = auth->value();
    if (value.size() < 7 || !(value.substr(0, 7) == "Bearer " || value.substr(0, 7) == "bearer "))
      return Error::make(ErrorKind::unauthorized,
                         "the Authorization header must be 'Bearer <token>'");
    token = value.substr(7);
  } else if (auto cookie = req.find(http::beast_http::field::cookie); cookie != req.end()) {
    token = cookie_value(cookie->value(), kSessionCookie);
    from_cookie = !token.empty();
  }
  if (token.empty())
    return Error::make(ErrorKind::unauthorized, "sign in first: no bearer token or session cookie");
  auto claims = verify_jwt(token, secret, now_millis(), options);
  if (!claims) return claims.error();
  if (from_cookie && !is_safe_method(req.method()) && !same_origin(req))
    return Error::make(ErrorKind::forbidden, "cross-site request refused");
  return claims;
}

std::string session_cookie(const std::string& token, int max_age_seconds, bool secure) {
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

std::string clear_session_cookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

}  // namespace todo
