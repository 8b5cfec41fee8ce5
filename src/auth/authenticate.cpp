#include "auth/authenticate.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <optional>

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

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::optional<unsigned> default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return std::nullopt;
}

// The port an authority names: its own, else the scheme's default; nullopt when neither or
// when it is no TCP port (0, or past 65535: Boost.URL's port_number() wraps those).
std::optional<unsigned> effective_port(bool has_port, std::string_view port,
                                       std::string_view scheme) {
  if (!has_port || port.empty()) return default_port(scheme);  // "h:" is "h" (RFC 3986 §3.2.3)
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535)
    return std::nullopt;
  return number;
}

// Scheme, host and port of the request's own origin; see the header.
bool same_origin(const http::Request& req, bool https_origin, std::string_view forwarded_proto) {
  auto origin = req.find(http::beast_http::field::origin);
  if (origin == req.end()) {
    // No Origin: not a browser's cross-origin write (browsers send Origin with every unsafe
    // request), unless Fetch metadata says it came from another origin.
    auto site = req.find("Sec-Fetch-Site");
    return site == req.end() || site->value() == "same-origin" || site->value() == "none";
  }
  auto host = req.find(http::beast_http::field::host);
  if (host == req.end()) return false;
  const std::string_view scheme = https_origin || forwarded_proto == "https" ? "https" : "http";
  return is_own_origin(origin->value(), host->value(), scheme);
}

}  // namespace

bool is_own_origin(std::string_view origin, std::string_view host, std::string_view our_scheme) {
  if (origin == "null") return false;
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || !url->has_authority() || url->has_userinfo() || !url->encoded_path().empty() ||
      url->has_query() || url->has_fragment())
    return false;
  auto authority = boost::urls::parse_authority(host);
  if (!authority || authority->has_userinfo() || authority->encoded_host().empty()) return false;
  const std::string scheme = lower(url->scheme());
  if (scheme != our_scheme) return false;
  if (lower(url->encoded_host()) != lower(authority->encoded_host())) return false;
  auto origin_port = effective_port(url->has_port(), url->port(), scheme);
  auto host_port = effective_port(authority->has_port(), authority->port(), our_scheme);
  return origin_port && host_port && *origin_port == *host_port;
}

Result<JwtClaims> authenticate_claims(const http::RequestContext& ctx, const std::string& secret,
                                      const JwtOptions& options, bool https_origin,
                                      auth::VerifiedTokens* verified) {
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
  const Millis now = now_millis();
  std::optional<JwtClaims> known;
  if (verified) known = verified->find(token, now, Millis(options.leeway_seconds) * 1000);
  Result<JwtClaims> claims =
      known ? Result<JwtClaims>(std::move(*known)) : verify_jwt(token, secret, now, options);
  if (!claims) return claims.error();
  if (verified && !known) verified->insert(token, *claims);
  if (from_cookie && !is_safe_method(req.method()) &&
      !same_origin(req, https_origin, ctx.forwarded_proto))
    return Error::make(ErrorKind::forbidden,
                       "cross-site request refused: a cookie-authenticated write must come from "
                       "this site's own origin (scheme, host and port)");
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
