#pragma once
// The handlers of the registry's tools (tools/registry.cpp). Each takes arguments already
// validated against its inputSchema, with `user_id` removed, and returns a result conforming
// to its outputSchema, or an is_error result in words a model can act on.
#include "tools/tool.hpp"

namespace todo::tools::handlers {

boost::asio::awaitable<ToolResult> add_task(ToolDeps& deps, const Caller& caller,
                                            const boost::json::object& args);
boost::asio::awaitable<ToolResult> update_task(ToolDeps& deps, const Caller& caller,
                                               const boost::json::object& args);
boost::asio::awaitable<ToolResult> complete_task(ToolDeps& deps, const Caller& caller,
                                                 const boost::json::object& args);
boost::asio::awaitable<ToolResult> delete_task(ToolDeps& deps, const Caller& caller,
                                               const boost::json::object& args);
boost::asio::awaitable<ToolResult> get_task(ToolDeps& deps, const Caller& caller,
                                            const boost::json::object& args);
boost::asio::awaitable<ToolResult> list_tasks(ToolDeps& deps, const Caller& caller,
                                              const boost::json::object& args);
boost::asio::awaitable<ToolResult> search_tasks(ToolDeps& deps, const Caller& caller,
                                                const boost::json::object& args);
boost::asio::awaitable<ToolResult> list_audit(ToolDeps& deps, const Caller& caller,
                                              const boost::json::object& args);

}  // namespace todo::tools::handlers
