#pragma once
// Files compiled into the binary (migrations, the OpenAPI document); see
// cmake/EmbedFiles.cmake. Keys are "<folder>/<file>", e.g. "sqlite/001_init.sql".
#include <map>
#include <string_view>

namespace todo {
const std::map<std::string_view, std::string_view>& embedded_files();
}
