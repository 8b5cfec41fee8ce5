#include "web/web_module.hpp"

#include <filesystem>
#include <memory>

#include "core/log.hpp"
#include "http/content_coding.hpp"
#include "http/problem.hpp"
#include "web/static_path.hpp"
#include "web/static_site.hpp"

namespace todo::web {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using http::Request;
using http::Response;
using field = http::beast_http::field;
using status = http::beast_http::status;

fs::path ui_root(const WebOptions& options) {
  if (!options.ui_dir.empty()) return options.ui_dir;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return (ec ? fs::current_path(ec) : exe.parent_path()) / "ui";
}

std::string_view header(const Request& req, field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string_view() : std::string_view(it->value());
}

// Headers a careful site sends with every page; the CSP is the page's own (its hashes).
void set_page_security_headers(Response& res, const StaticFile& file) {
  res.set("Content-Security-Policy", file.content_security_policy);
  res.set("Referrer-Policy", "same-origin");
  res.set("X-Frame-Options", "DENY");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
}

Response file_response(const StaticFile& file, status st, const Request& req) {
  Response res{st, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(field::content_type, file.content_type);
  res.set(field::cache_control, st == status::ok ? file.cache_control : "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  if (file.html) set_page_security_headers(res, file);
  if (!file.gzip_body.empty()) res.set(field::vary, "Accept-Encoding");
  if (st == status::ok) {
    res.set(field::etag, file.etag);
    if (etag_matches(header(req, field::if_none_match), file.etag)) {
      res.result(status::not_modified);
      return res;  // no body, no Content-Length (RFC 9110 §15.4.5)
    }
  }
  bool gzip = !file.gzip_body.empty() && http::accepts_gzip(header(req, field::accept_encoding));
  if (gzip) res.set(field::content_encoding, "gzip");
  const std::string& body = gzip ? file.gzip_body : file.body;
  if (req.method() == http::beast_http::verb::head) {
    res.content_length(body.size());  // what a GET would send; no body
  } else {
    res.body() = body;
    res.prepare_payload();
  }
  return res;
}

Response not_built(const Request& req) {
  Response res{status::service_unavailable, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(field::content_type, "text/plain; charset=utf-8");
  res.set(field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() =
      "The todo service is running, but its web UI was not built.\n"
      "Build it with `make build` (or scripts/build-ui.sh), or point --ui-dir / TODO_UI_DIR\n"
      "at a build of frontend/. The API is served under /api (see /openapi.json).\n";
  if (req.method() == http::beast_http::verb::head) {
    res.content_length(res.body().size());
    res.body().clear();
  } else {
    res.prepare_payload();
  }
  return res;
}

Response serve(const StaticSite& site, const http::RequestContext& ctx) {
  const Request& req = ctx.request;
  std::string_view path = ctx.url.encoded_path();
  auto not_found = [&] {
    return http::problem(
        Error::make(ErrorKind::not_found, "no resource at " + std::string(ctx.url.path())), ctx);
  };
  // The API's unknown paths stay machine answers, whoever asks.
  if (path == "/api" || path.starts_with("/api/")) return not_found();
  if (!site.built()) return path == "/" ? not_built(req) : not_found();
  if (auto names = candidate_files(path))
    for (const auto& name : *names)
      if (const StaticFile* file = site.find(name)) return file_response(*file, status::ok, req);
  // A person who followed a bad link gets the UI's own 404 page; programs get problem+json.
  if (const StaticFile* page = site.find("404.html");
      page && prefers_html(header(req, field::accept)))
    return file_response(*page, status::not_found, req);
  return not_found();
}

class WebModule final : public app::Module {
 public:
  explicit WebModule(const WebOptions& options) {
    fs::path root = ui_root(options);
    site_ = std::make_shared<const StaticSite>(StaticSite::load(root));
    if (site_->built())
      log::info("web UI: {} files ({} KiB) from {}", site_->file_count(),
                site_->total_bytes() / 1024, root.string());
    else
      log::warn("web UI not built: {} does not exist; / says so (run make build)", root.string());
  }

  std::string_view name() const override { return "web"; }

  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.set_fallback({verb::get, verb::head}, "ui",
                        [site = site_](http::RequestContext& ctx) -> asio::awaitable<Response> {
                          co_return serve(*site, ctx);
                        });
  }

 private:
  std::shared_ptr<const StaticSite> site_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<WebOptions>>(
      "web", "Web UI (web module)",
      [](app::OptionGroup& group, WebOptions& o) {
        group.text("--ui-dir", "TODO_UI_DIR", o.ui_dir,
                   "Directory of the web UI's static export, served at / (default: ui beside "
                   "the executable, where make build puts it)");
      },
      nullptr,
      [](app::Platform&, const WebOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<WebModule>(o);
      });
}

}  // namespace todo::web
