#include "core/log.hpp"

#include <spdlog/spdlog.h>

namespace todo::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::critical:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace

bool enabled(Level level) {
  return spdlog::should_log(to_spdlog(level));
}

void write(Level level, std::string_view message) {
  spdlog::log(to_spdlog(level), "{}", message);
}

}  // namespace todo::log
