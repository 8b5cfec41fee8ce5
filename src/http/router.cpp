#include "http/router.hpp"

namespace todo::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments: more literals = more specific.
int literal_count(const std::vector<std::string>& segments) {
  int n = 0;
  for (const auto& s : segments) n += is_param(s) ? 0 : 1;
  return n;
}

}  // namespace

void Router::add(beast_http::verb method, std::string pattern, Handler handler) {
  auto segments = split_path(pattern);
  routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler)});
}

void Router::set_fallback(std::vector<beast_http::verb> methods, std::string name,
                          Handler handler) {
  fallback_ = Fallback{std::move(methods), std::move(name), std::move(handler)};
}

std::optional<Router::Match> Router::fallback_match(beast_http::verb method) const {
  if (!fallback_ || std::find(fallback_->methods.begin(), fallback_->methods.end(), method) ==
                        fallback_->methods.end())
    return std::nullopt;
  Match m;
  m.handler = &fallback_->handler;
  m.route = fallback_->name;
  return m;
}

std::optional<Router::Match> Router::match(beast_http::verb method, std::string_view path) const {
  // A trailing slash is not the same resource; "/api/x/tasks/" does not match.
  if (path.size() > 1 && path.back() == '/') return fallback_match(method);
  auto segments = split_path(path);
  const Route* best = nullptr;
  int best_score = -1;
  std::vector<beast_http::verb> allowed;
  auto allow = [&](beast_http::verb v) {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) allowed.push_back(v);
  };
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i)
      ok = is_param(r.segments[i]) ? !segments[i].empty() : r.segments[i] == segments[i];
    if (!ok) continue;
    // HEAD is GET without the body (RFC 9110 §9.3.2): a GET route answers HEAD unless the
    // path has its own HEAD route, and every 405 for a GET resource allows HEAD too.
    bool exact = r.method == method;
    bool head_as_get = method == beast_http::verb::head && r.method == beast_http::verb::get;
    if (!exact && !head_as_get) {
      allow(r.method);
      if (r.method == beast_http::verb::get) allow(beast_http::verb::head);
      continue;
    }
    int score = literal_count(r.segments) * 2 + (exact ? 1 : 0);
    if (score > best_score) {
      best = &r;
      best_score = score;
    }
  }
  if (!best && allowed.empty()) return fallback_match(method);
  Match m;
  for (auto v : allowed) {
    if (!m.allowed.empty()) m.allowed += ", ";
    m.allowed += std::string(beast_http::to_string(v));
  }
  if (!best) return m;
  m.handler = &best->handler;
  m.route = best->pattern;
  for (std::size_t i = 0; i < segments.size(); ++i)
    if (is_param(best->segments[i]))
      m.params[best->segments[i].substr(1, best->segments[i].size() - 2)] = segments[i];
  return m;
}

bool Router::implements(beast_http::verb method) const {
  auto has = [&](beast_http::verb v) {
    for (const auto& r : routes_)
      if (r.method == v) return true;
    return fallback_ && std::find(fallback_->methods.begin(), fallback_->methods.end(), v) !=
                            fallback_->methods.end();
  };
  if (method == beast_http::verb::unknown) return false;
  return has(method) || (method == beast_http::verb::head && has(beast_http::verb::get));
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_)
    out.emplace_back(std::string(beast_http::to_string(r.method)), r.pattern);
  return out;
}

}  // namespace todo::http
