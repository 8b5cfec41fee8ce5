#pragma once
// The pure rules of serving the web UI's static export: which file a URL path names,
// its Content-Type and Cache-Control, conditional requests, and the
// Content-Security-Policy an HTML page needs (gzip negotiation: http/content_coding.hpp).
// No I/O; unit-tested in tests/unit.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace todo::web {

// The files (relative to the UI root, '/'-separated) that may answer an encoded URL path,
// most specific first: "/" -> index.html; "/tasks" -> tasks, tasks.html, tasks/index.html.
// nullopt when the path must never be served: "." or ".." segments, hidden names (".git"),
// encoded '/', '\' or NUL, invalid percent-encoding. Rejecting such paths here (and keying
// the in-memory site by these names) is what keeps every answer inside the UI root.
std::optional<std::vector<std::string>> candidate_files(std::string_view encoded_path);

// "text/html; charset=utf-8", "text/javascript; charset=utf-8", ... by file extension.
std::string_view content_type_for(std::string_view file_name);

// Next.js puts content-hashed names under _next/static/: those never change, so browsers
// may keep them a year. Everything else (HTML, RSC payloads, icons) is revalidated.
std::string_view cache_control_for(std::string_view file_name);

// Compressible text types that are worth a precompressed .gz variant.
bool is_compressible(std::string_view file_name);

// If-None-Match names `etag` (weak comparison, lists, "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// The client asked for a page (browser navigation) rather than data: Accept names text/html.
bool prefers_html(std::string_view accept);

// "sha256-<base64>" of each inline <script> (no src attribute) of an HTML document.
std::vector<std::string> inline_script_hashes(std::string_view html);

// The Content-Security-Policy of one HTML page: scripts only from our origin plus the
// inline scripts this very page holds (Next.js writes its RSC payload inline), by hash,
// so that an injected script never runs. No 'unsafe-inline', no 'unsafe-eval'.
std::string content_security_policy(std::string_view html);

}  // namespace todo::web
