#include "mcp/protocol.hpp"

#include <array>
#include <boost/json.hpp>

#include "tools/registry.hpp"

namespace todo::mcp {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 3> kVersions = {"2025-11-25", "2025-06-18", "2025-03-26"};

bool valid_id(const json::value& id) {
  return id.is_string() || id.is_int64() || id.is_uint64();
}

}  // namespace

bool supported_version(std::string_view version) {
  for (auto v : kVersions)
    if (v == version) return true;
  return false;
}

std::string negotiate_version(std::string_view requested) {
  return std::string(supported_version(requested) ? requested : kLatestVersion);
}

bool batches_allowed(std::string_view version) {
  return version == "2025-03-26";
}

MessageKind classify(const json::value& message) {
  const auto* o = message.if_object();
  if (!o) return MessageKind::invalid;
  const auto* version = o->if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0")
    return MessageKind::invalid;
  const auto* method = o->if_contains("method");
  const auto* id = o->if_contains("id");
  if (method) {
    if (!method->is_string()) return MessageKind::invalid;
    if (const auto* params = o->if_contains("params"); params && !params->is_object())
      return MessageKind::invalid;  // MCP params are always objects
    if (!id) return MessageKind::notification;
    return valid_id(*id) ? MessageKind::request : MessageKind::invalid;
  }
  if (id && (o->contains("result") || o->contains("error"))) return MessageKind::response;
  return MessageKind::invalid;
}

json::object error_response(const json::value& id, int code, std::string message,
                            json::value data) {
  json::object error{{"code", code}, {"message", std::move(message)}};
  if (!data.is_null()) error["data"] = std::move(data);
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json::object result_response(const json::value& id, json::value result) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object initialize_result(std::string_view requested) {
  return json::object{
      {"protocolVersion", negotiate_version(requested)},
      {"capabilities", json::object{{"tools", json::object{{"listChanged", false}}}}},
      {"serverInfo",
       json::object{{"name", "todo"}, {"title", "Todo Platform"}, {"version", "1.0.0"}}},
      {"instructions",
       "Manage the signed-in user's tasks: add_task, list_tasks, search_tasks, get_task, "
       "update_task, complete_task, delete_task; list_audit shows the history of changes."}};
}

boost::asio::awaitable<json::object> answer_request(tools::ToolDeps& deps,
                                                    const tools::Caller& caller,
                                                    const json::object& request) {
  const json::value& id = request.at("id");
  std::string_view method = request.at("method").get_string();
  static const json::object kNoParams;
  const auto* p = request.if_contains("params");
  const json::object& params = p ? p->get_object() : kNoParams;
  if (method == "ping") co_return result_response(id, json::object{});
  if (method == "tools/list") {
    // One page: the registry is small (MCP pagination is optional: no nextCursor).
    json::array list;
    for (const auto& tool : tools::registry()) list.push_back(tools::tool_definition(tool));
    co_return result_response(id, json::object{{"tools", std::move(list)}});
  }
  if (method == "tools/call") {
    const auto* name = params.if_contains("name");
    if (!name || !name->is_string())
      co_return error_response(id, kInvalidParams, "tools/call needs params.name, a string");
    const auto* a = params.if_contains("arguments");
    json::value arguments = a ? *a : json::value(nullptr);
    auto outcome = co_await tools::call_tool(deps, caller, name->get_string(), arguments);
    if (outcome.refused)
      co_return error_response(id, outcome.refused->code, outcome.refused->message,
                               outcome.refused->data);
    co_return result_response(id, tools::call_result_json(*outcome.result));
  }
  if (method == "initialize")
    co_return error_response(id, kInvalidRequest, "the session is initialized already");
  co_return error_response(id, kMethodNotFound,
                           "Method not found: " + std::string(method.substr(0, 64)));
}

}  // namespace todo::mcp
