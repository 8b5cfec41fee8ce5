#pragma once
// Serves the web UI (the Next.js static export of frontend/) at "/" for GET and HEAD.
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo::web {

// Loads the export from config.ui_dir (default: "ui" beside the executable) and answers,
// through the router's fallback, every GET/HEAD whose path no API route has:
// "/tasks" from tasks.html or tasks/index.html, the export's 404.html for unknown pages
// asked for by a browser, a problem+json 404 for everything else (and always under /api).
// When the directory is missing, "/" explains that the UI was not built.
void register_ui_routes(http::Router& router, Services& services);

}  // namespace todo::web
