// Stand-ins for the tool registry (tools/registry.cpp) in fuzz_mcp_message: mcp/protocol.cpp
// calls it from answer_request, which this target never calls, and the real registry would
// bring in the task service and storage. Reaching one of these is a bug in the target.
#include <cstdio>
#include <cstdlib>

#include "tools/registry.hpp"

namespace todo::tools {
namespace {
[[noreturn]] void not_linked(const char* what) {
  std::fprintf(stderr, "fuzz: %s is not linked into the fuzz targets\n", what);
  std::abort();
}
}  // namespace

const std::vector<Tool>& registry() {
  not_linked("tools::registry");
}
boost::json::object tool_definition(const Tool&) {
  not_linked("tools::tool_definition");
}
boost::asio::awaitable<CallOutcome> call_tool(ToolDeps&, const Caller&, std::string_view,
                                              const boost::json::value&) {
  not_linked("tools::call_tool");
}
boost::json::object call_result_json(const ToolResult&) {
  not_linked("tools::call_result_json");
}
}  // namespace todo::tools
