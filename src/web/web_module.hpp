#pragma once
// web: serves the web UI (the Next.js static export of frontend/) at "/" for GET and HEAD.
//
// Loads the export from --ui-dir (default: "ui" beside the executable, where make build puts
// it) into memory at start and answers, through the router's fallback, every GET/HEAD whose
// path no API route has: "/tasks" from tasks.html or tasks/index.html, the export's 404.html
// for unknown pages asked for by a browser, a problem+json 404 for everything else (and
// always under /api). When the directory is missing, "/" explains that the UI was not built.
// No workers.
#include <memory>
#include <string>

#include "app/module.hpp"

namespace todo::web {

struct WebOptions {
  std::string ui_dir;  // empty: "ui" beside the executable
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::web
