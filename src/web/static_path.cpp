#include "web/static_path.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/url/pct_string_view.hpp>
#include <cctype>
#include <cstdlib>

namespace todo::web {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view extension(std::string_view file_name) {
  auto slash = file_name.rfind('/');
  auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return file_name.substr(dot + 1);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(item) for each comma-separated, trimmed item of a header value.
template <class Fn>
void for_each_item(std::string_view list, Fn fn) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

std::optional<std::string> decode_segment(std::string_view encoded) {
  auto pct = boost::urls::make_pct_string_view(encoded);
  if (!pct) return std::nullopt;
  std::string out = pct->decode();
  if (out.empty() || out == "." || out == ".." || out.front() == '.') return std::nullopt;
  for (unsigned char c : out)
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) return std::nullopt;
  return out;
}

std::string sha256_base64(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  unsigned char out[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(out, digest, SHA256_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

}  // namespace

std::optional<std::vector<std::string>> candidate_files(std::string_view encoded_path) {
  if (encoded_path.empty() || encoded_path.front() != '/') return std::nullopt;
  std::string joined;
  std::string_view rest = encoded_path.substr(1);
  bool trailing_slash = false;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.empty()) return std::nullopt;  // "//": no such file, and no ambiguity
    auto decoded = decode_segment(segment);
    if (!decoded) return std::nullopt;
    if (!joined.empty()) joined += '/';
    joined += *decoded;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    trailing_slash = rest.empty();
  }
  if (joined.empty()) return std::vector<std::string>{"index.html"};
  // "/tasks/" is the same page as "/tasks" (whichever layout the export chose).
  if (trailing_slash) return std::vector<std::string>{joined + "/index.html", joined + ".html"};
  return std::vector<std::string>{joined, joined + ".html", joined + "/index.html"};
}

std::string_view content_type_for(std::string_view file_name) {
  std::string ext = lower(extension(file_name));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "avif") return "image/avif";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "ttf") return "font/ttf";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "xml") return "application/xml";
  if (ext == "wasm") return "application/wasm";
  return "application/octet-stream";
}

std::string_view cache_control_for(std::string_view file_name) {
  if (file_name.starts_with("_next/static/")) return "public, max-age=31536000, immutable";
  return "no-cache";
}

bool is_compressible(std::string_view file_name) {
  std::string_view type = content_type_for(file_name);
  return type.starts_with("text/") || type == "application/json" || type == "image/svg+xml" ||
         type == "application/manifest+json" || type == "application/xml";
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view t) {
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  bool match = false;
  for_each_item(if_none_match, [&](std::string_view item) {
    if (item == "*" || opaque(item) == opaque(etag)) match = true;
  });
  return match;
}

bool prefers_html(std::string_view accept) {
  return lower(accept).find("text/html") != std::string::npos;
}

std::vector<std::string> inline_script_hashes(std::string_view html) {
  std::vector<std::string> hashes;
  std::string lowered = lower(html);  // tag names are case-insensitive; offsets are kept
  std::size_t pos = 0;
  while ((pos = lowered.find("<script", pos)) != std::string::npos) {
    std::size_t tag_end = lowered.find('>', pos);
    if (tag_end == std::string::npos) break;
    std::string_view tag = std::string_view(lowered).substr(pos, tag_end - pos);
    std::size_t close = lowered.find("</script", tag_end);
    if (close == std::string::npos) break;
    // " src=" (or a newline/tab before it): the script comes from a file, checked by 'self'.
    bool has_src = false;
    for (std::size_t i = tag.find("src="); i != std::string_view::npos; i = tag.find("src=", i + 1))
      if (i > 0 && std::isspace(static_cast<unsigned char>(tag[i - 1]))) has_src = true;
    if (!has_src) {
      std::string hash = "sha256-" + sha256_base64(html.substr(tag_end + 1, close - tag_end - 1));
      if (std::find(hashes.begin(), hashes.end(), hash) == hashes.end()) hashes.push_back(hash);
    }
    pos = close + 8;
  }
  return hashes;
}

std::string content_security_policy(std::string_view html) {
  std::string scripts = "script-src 'self'";
  for (const auto& h : inline_script_hashes(html)) scripts += " '" + h + "'";
  return "default-src 'self'; " + scripts +
         "; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
         "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

}  // namespace todo::web
