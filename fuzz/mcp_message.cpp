// MCP / JSON-RPC 2.0 messages POSTed to /mcp (mcp/protocol.hpp: classification, version
// negotiation, error objects) and tool arguments checked against the tools' input schemas
// (tools/json_schema.hpp with tools/tool_schemas.hpp), as tools/call does before a tool runs.
// Invariants: a request has a string method and a string or integer id; a notification has
// no id; version negotiation answers a supported version; schema validation lists at most 20
// violations, each naming a path, and what validates against a schema is of its type.
// answer_request itself needs the tool registry and through it the task service and
// storage, so it is not linked here; check_call's schema step is, as validate_json.
#include <boost/json.hpp>
#include <string>

#include "fuzz_support.hpp"
#include "mcp/protocol.hpp"
#include "tools/json_schema.hpp"
#include "tools/tool_schemas.hpp"

using namespace todo;
namespace json = boost::json;

namespace {

void check_arguments(const json::value& arguments) {
  namespace s = tools::schemas;
  for (const json::value* schema :
       {&s::add_task_input(), &s::update_task_input(), &s::task_id_input(),
        &s::complete_task_input(), &s::list_tasks_input(), &s::search_tasks_input(),
        &s::list_audit_input()}) {
    std::vector<FieldError> errors = tools::validate_json(*schema, arguments);
    FUZZ_CHECK(errors.size() <= 20);
    for (const auto& e : errors) FUZZ_CHECK(!e.message.empty());
    // Every input schema is an object with additionalProperties false.
    if (errors.empty()) FUZZ_CHECK(arguments.is_object());
  }
}

void check_message(const json::value& message) {
  const mcp::MessageKind kind = mcp::classify(message);
  if (kind == mcp::MessageKind::invalid) {
    json::object error = mcp::error_response(nullptr, mcp::kInvalidRequest, "invalid");
    FUZZ_CHECK(error.at("error").at("code").as_int64() == mcp::kInvalidRequest);
    return;
  }
  const json::object& o = message.as_object();
  FUZZ_CHECK(o.at("jsonrpc") == "2.0");
  if (kind == mcp::MessageKind::response) return;
  FUZZ_CHECK(o.at("method").is_string());
  if (kind == mcp::MessageKind::notification) {
    FUZZ_CHECK(!o.contains("id"));
    return;
  }
  const json::value& id = o.at("id");
  FUZZ_CHECK(id.is_string() || id.is_int64() || id.is_uint64());
  const auto* params = o.if_contains("params");
  const std::string_view method = o.at("method").as_string();
  if (method == "initialize" && params) {
    const auto* requested = params->as_object().if_contains("protocolVersion");
    std::string_view v;
    if (requested && requested->is_string()) v = requested->get_string();
    json::object result = mcp::initialize_result(v);
    const std::string_view answered = result.at("protocolVersion").as_string();
    FUZZ_CHECK(mcp::supported_version(answered));
    if (mcp::supported_version(v)) FUZZ_CHECK(answered == v);
  }
  if (method == "tools/call" && params) {
    const auto* arguments = params->as_object().if_contains("arguments");
    check_arguments(arguments ? *arguments : json::value(json::object{}));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  json::value message = json::parse(fuzz::as_text(data, size), ec);
  if (ec) return 0;
  if (message.is_array()) {
    for (const auto& m : message.get_array()) check_message(m);
  } else {
    check_message(message);
  }
  // Anything a client sends may be a tool's arguments.
  check_arguments(message);
  return 0;
}
