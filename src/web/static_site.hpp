#pragma once
// The web UI's static export, loaded into memory once at start-up.
//
// Why in memory: the export is small (about a megabyte), every answer is then a map
// lookup with no disk I/O on an I/O thread, and ETags, the gzip variants and each page's
// Content-Security-Policy are computed once. A rebuilt UI is picked up at the next start.
//
// Lifecycle and threading: built by load(), then read-only; shared by every I/O thread.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace todo::web {

struct StaticFile {
  std::string body;
  std::string gzip_body;  // from "<name>.gz" beside the file (scripts/build-ui.sh); may be empty
  std::string content_type;
  std::string cache_control;
  std::string etag;                     // strong: a hash of the content
  std::string content_security_policy;  // HTML only
  bool html = false;
};

class StaticSite {
 public:
  // Every regular file under `root` (symbolic links are not followed, so nothing outside
  // the root is ever read). An absent root gives an empty site (built() is false).
  static StaticSite load(const std::filesystem::path& root);

  bool built() const { return built_; }
  // `name` is relative to the root and '/'-separated, as candidate_files() returns them.
  const StaticFile* find(std::string_view name) const;
  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }

 private:
  bool built_ = false;
  std::size_t total_bytes_ = 0;
  std::unordered_map<std::string, StaticFile> files_;
};

}  // namespace todo::web
