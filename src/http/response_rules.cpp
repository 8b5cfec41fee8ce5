#include "http/response_rules.hpp"

#include <cctype>
#include <ctime>

#include "http/content_coding.hpp"

namespace todo::http {
namespace {

using field = beast_http::field;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_json(std::string_view content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  return type == "application/json" || type == "application/problem+json";
}

// Vary gains `name` unless it already lists it or "*" (RFC 9110 §12.5.5).
void add_vary(Response& response, std::string_view name) {
  auto it = response.find(field::vary);
  if (it == response.end()) {
    response.set(field::vary, name);
    return;
  }
  std::string current = lower(it->value());
  if (current.find('*') != std::string::npos || current.find(lower(name)) != std::string::npos)
    return;
  response.set(field::vary, std::string(it->value()) + ", " + std::string(name));
}

std::string joined(const Request& request, field name) {
  std::string out;
  for (const auto& f : request) {
    if (f.name() != name) continue;
    if (!out.empty()) out += ", ";
    out += f.value();
  }
  return out;
}

}  // namespace

const std::string& http_date_now() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    // %a and %b are locale-dependent; the process never calls setlocale, so "C" applies.
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

void add_common_headers(Response& response) {
  response.set(field::date, http_date_now());
  response.set("X-Content-Type-Options", "nosniff");
}

void maybe_compress(const Request& request, Response& response) {
  if (response.body().size() < kCompressMinBytes) return;
  if (response.find(field::content_encoding) != response.end()) return;
  if (response.find(field::etag) != response.end()) return;
  auto type = response.find(field::content_type);
  if (type == response.end() || !is_json(type->value())) return;
  add_vary(response, "Accept-Encoding");
  if (!accepts_gzip(joined(request, field::accept_encoding))) return;
  response.body() = gzip(response.body(), 1);
  response.set(field::content_encoding, "gzip");
  response.prepare_payload();
}

void finish_response(const Request& request, Response& response) {
  add_common_headers(response);
  if (!request.keep_alive()) response.keep_alive(false);
  maybe_compress(request, response);
  if (request.method() == beast_http::verb::head && !response.body().empty()) {
    response.content_length(response.body().size());
    response.body().clear();
  }
}

}  // namespace todo::http
