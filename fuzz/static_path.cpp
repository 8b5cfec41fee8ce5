// Paths and headers of the web UI's static files (web/static_path.hpp): which file a URL path
// names, and the headers read around it. Input: "<encoded path>\n<If-None-Match>\n<Accept>".
// Invariants: a path is served only as files inside the UI root — no candidate is absolute
// or has an empty, "." or ".." segment, a hidden name, a backslash or a NUL; content types
// and cache policies are never empty; a page's CSP never allows inline or eval'd script.
#include <string>

#include "fuzz_support.hpp"
#include "web/static_path.hpp"

using namespace todo;

namespace {

void check_file(std::string_view file) {
  FUZZ_CHECK(!file.empty() && file.front() != '/' && file.back() != '/');
  std::size_t start = 0;
  while (start <= file.size()) {
    std::size_t end = file.find('/', start);
    if (end == std::string_view::npos) end = file.size();
    const std::string_view segment = file.substr(start, end - start);
    FUZZ_CHECK(!segment.empty() && segment != "." && segment != ".." && segment.front() != '.');
    start = end + 1;
  }
  FUZZ_CHECK(file.find('\\') == std::string_view::npos);
  FUZZ_CHECK(file.find('\0') == std::string_view::npos);
  FUZZ_CHECK(!web::content_type_for(file).empty() && !web::cache_control_for(file).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all = fuzz::as_text(data, size);
  fuzz::Reader in(all);
  const std::string_view path = in.until('\n');
  const std::string_view if_none_match = in.until('\n');
  const std::string_view accept = in.rest();

  if (auto files = web::candidate_files(path)) {
    FUZZ_CHECK(!files->empty());
    for (const auto& f : *files) check_file(f);
  }
  (void)web::etag_matches(if_none_match, "\"abc\"");
  if (if_none_match == "*") FUZZ_CHECK(web::etag_matches(if_none_match, "\"abc\""));
  (void)web::prefers_html(accept);
  (void)web::is_compressible(path);

  const std::string csp = web::content_security_policy(all);
  FUZZ_CHECK(csp.find("unsafe-inline") == std::string::npos &&
             csp.find("unsafe-eval") == std::string::npos);
  for (const auto& hash : web::inline_script_hashes(all)) FUZZ_CHECK(hash.starts_with("sha256-"));
  return 0;
}
