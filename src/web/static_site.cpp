#include "web/static_site.hpp"

#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "web/static_path.hpp"

namespace todo::web {
namespace fs = std::filesystem;
namespace {

// Guards against pointing --ui-dir at something that is not a UI export (say "/").
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;
constexpr std::size_t kMaxTotalBytes = 256u << 20;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return std::move(out).str();
}

std::string content_etag(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int i = 0; i < 12; ++i) {  // 96 bits tell versions of one file apart
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out + "\"";
}

}  // namespace

StaticSite StaticSite::load(const fs::path& root) {
  StaticSite site;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return site;
  site.built_ = true;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    fs::path rel = it->path().lexically_relative(root);
    std::string name = rel.generic_string();
    if (name.ends_with(".gz")) continue;  // a variant, loaded with its file below
    if (it->file_size(ec) > kMaxFileBytes || site.total_bytes_ > kMaxTotalBytes) {
      log::warn("web UI: skipping {} (file or UI too large)", name);
      continue;
    }
    auto body = read_file(it->path());
    if (!body) {
      log::warn("web UI: cannot read {}", it->path().string());
      continue;
    }
    StaticFile file;
    file.content_type = content_type_for(name);
    file.cache_control = cache_control_for(name);
    file.etag = content_etag(*body);
    file.html = file.content_type.starts_with("text/html");
    if (file.html) file.content_security_policy = content_security_policy(*body);
    if (is_compressible(name)) {
      fs::path gz = it->path();
      gz += ".gz";
      // Only a variant at least as new as its file: a stale one would serve old content.
      if (fs::is_regular_file(fs::symlink_status(gz, ec)) &&
          fs::last_write_time(gz, ec) >= it->last_write_time(ec))
        if (auto zipped = read_file(gz); zipped && zipped->size() < body->size())
          file.gzip_body = std::move(*zipped);
    }
    file.body = std::move(*body);
    site.total_bytes_ += file.body.size() + file.gzip_body.size();
    site.files_.emplace(std::move(name), std::move(file));
  }
  if (ec) log::warn("web UI: listing {} stopped: {}", root.string(), ec.message());
  return site;
}

const StaticFile* StaticSite::find(std::string_view name) const {
  auto it = files_.find(std::string(name));
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace todo::web
