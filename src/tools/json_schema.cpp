#include "tools/json_schema.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "core/utf8.hpp"

namespace todo::tools {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxSchemaErrors = 20;

struct SchemaErrors {
  std::vector<FieldError> list;
  void add(const std::string& path, std::string message) {
    if (list.size() < kMaxSchemaErrors)
      list.push_back({path.empty() ? "(arguments)" : path, std::move(message)});
  }
};

bool has_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return true;
    // 3.0 is an integer in JSON Schema (§6.1.1: a number with a zero fractional part).
    return v.is_double() && std::isfinite(v.get_double()) &&
           v.get_double() == std::trunc(v.get_double());
  }
  return false;
}

double number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

std::string member_path(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string type_text(const json::value& type) {
  if (type.is_string()) return std::string(type.get_string());
  std::string out;
  for (const auto& t : type.as_array()) {
    if (!out.empty()) out += " or ";
    out += t.is_string() ? std::string(t.get_string()) : "?";
  }
  return out;
}

void check(const json::object& schema, const json::value& v, const std::string& path,
           SchemaErrors& errors) {
  if (const auto* type = schema.if_contains("type")) {
    bool ok = false;
    if (type->is_string()) ok = has_type(v, type->get_string());
    if (type->is_array())
      for (const auto& t : type->as_array())
        ok = ok || (t.is_string() && has_type(v, t.get_string()));
    if (!ok) return errors.add(path, "must be of type " + type_text(*type));
  }
  if (const auto* options = schema.if_contains("enum"); options && options->is_array()) {
    bool found = false;
    for (const auto& option : options->as_array()) found = found || option == v;
    if (!found) {
      std::string names;
      for (const auto& option : options->as_array())
        names += (names.empty() ? "" : ", ") + json::serialize(option);
      return errors.add(path, "must be one of " + names);
    }
  }
  if (v.is_string()) {
    auto decoded = decode_utf8(v.get_string());
    std::size_t length = decoded ? decoded->size() : v.get_string().size();
    if (const auto* min = schema.if_contains("minLength"); min && length < number_of(*min))
      errors.add(path, "must be at least " + json::serialize(*min) + " characters");
    if (const auto* max = schema.if_contains("maxLength"); max && length > number_of(*max))
      errors.add(path, "must be at most " + json::serialize(*max) + " characters");
  }
  if (v.is_number()) {
    if (const auto* min = schema.if_contains("minimum"); min && number_of(v) < number_of(*min))
      errors.add(path, "must be at least " + json::serialize(*min));
    if (const auto* max = schema.if_contains("maximum"); max && number_of(v) > number_of(*max))
      errors.add(path, "must be at most " + json::serialize(*max));
  }
  if (v.is_array()) {
    const auto& items = v.get_array();
    if (const auto* min = schema.if_contains("minItems"); min && items.size() < number_of(*min))
      errors.add(path, "must have at least " + json::serialize(*min) + " items");
    if (const auto* max = schema.if_contains("maxItems"); max && items.size() > number_of(*max))
      return errors.add(path, "must have at most " + json::serialize(*max) + " items");
    if (const auto* item_schema = schema.if_contains("items");
        item_schema && item_schema->is_object())
      for (std::size_t i = 0; i < items.size() && errors.list.size() < kMaxSchemaErrors; ++i)
        check(item_schema->get_object(), items[i], path + "[" + std::to_string(i) + "]", errors);
  }
  if (v.is_object()) {
    const auto& object = v.get_object();
    const json::object* properties = nullptr;
    if (const auto* p = schema.if_contains("properties"); p && p->is_object())
      properties = &p->get_object();
    if (const auto* required = schema.if_contains("required"); required && required->is_array())
      for (const auto& name : required->as_array())
        if (name.is_string() && !object.contains(name.get_string()))
          errors.add(member_path(path, name.get_string()), "is required");
    const auto* additional = schema.if_contains("additionalProperties");
    for (const auto& [key, member] : object) {
      const json::value* member_schema = properties ? properties->if_contains(key) : nullptr;
      if (member_schema && member_schema->is_object()) {
        check(member_schema->get_object(), member, member_path(path, key), errors);
      } else if (additional && additional->is_bool() && !additional->get_bool()) {
        // Echo at most 64 bytes of a client-chosen name.
        std::string name(key.substr(0, 64));
        errors.add(member_path(path, name), "is not a known argument");
      } else if (additional && additional->is_object()) {
        check(additional->get_object(), member, member_path(path, key), errors);
      }
    }
  }
}

const std::set<std::string, std::less<>>& known_keywords() {
  static const std::set<std::string, std::less<>> kKnown = {
      "type", "properties", "required", "additionalProperties", "enum", "minLength", "maxLength",
      "minimum", "maximum", "items", "minItems", "maxItems",
      // annotations: no effect on validation
      "title", "description", "format", "default", "examples", "$schema"};
  return kKnown;
}

void collect_unknown(const json::value& schema, std::vector<std::string>& out) {
  if (!schema.is_object()) return;
  for (const auto& [key, value] : schema.get_object()) {
    if (!known_keywords().contains(key)) out.emplace_back(key);
    if (key == "properties" && value.is_object())
      for (const auto& [name, sub] : value.get_object()) collect_unknown(sub, out);
    if ((key == "items" || key == "additionalProperties") && value.is_object())
      collect_unknown(value, out);
  }
}

}  // namespace

std::vector<FieldError> validate_json(const json::value& schema, const json::value& instance) {
  SchemaErrors errors;
  if (schema.is_object()) check(schema.get_object(), instance, "", errors);
  return std::move(errors.list);
}

std::vector<std::string> unknown_schema_keywords(const json::value& schema) {
  std::vector<std::string> out;
  collect_unknown(schema, out);
  return out;
}

}  // namespace todo::tools
