#pragma once
// Logging: `log::info("listening on {}", port)` and friends, with fmt format strings checked at
// compile time. The message is formatted by libfmt's compiled vformat and handed to spdlog in
// one place (log.cpp). Why not spdlog's own templates everywhere: each file that calls them
// compiles fmt's whole formatting engine again (about 2 s of CPU per file, measured); this
// way no file does.
//
// Thread safety: as spdlog's default logger (thread-safe). Formatting is skipped when the
// level is off.
#include <fmt/format.h>

#include <string_view>

namespace todo::log {

enum class Level { trace, debug, info, warn, error, critical };

bool enabled(Level level);
void write(Level level, std::string_view message);

template <class... Args>
void emit(Level level, fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(level)) write(level, fmt::vformat(format, fmt::make_format_args(args...)));
}

template <class... Args>
void trace(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::trace, format, std::forward<Args>(args)...);
}
template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::debug, format, std::forward<Args>(args)...);
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::info, format, std::forward<Args>(args)...);
}
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::warn, format, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::error, format, std::forward<Args>(args)...);
}
template <class... Args>
void critical(fmt::format_string<Args...> format, Args&&... args) {
  emit(Level::critical, format, std::forward<Args>(args)...);
}

}  // namespace todo::log
