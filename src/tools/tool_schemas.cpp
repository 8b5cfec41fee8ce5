#include "tools/tool_schemas.hpp"

#include <boost/json.hpp>
#include <string>

namespace todo::tools::schemas {
namespace {

namespace json = boost::json;

// Members shared by several schemas, as JSON text spliced into the documents below.
constexpr const char* kUserId =
    R"("user_id": {"type": "string", "description": "Optional, for compatibility: the caller's own user id (the user always comes from the credential; another id is refused)."})";
constexpr const char* kTaskId =
    R"("task_id": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "The task's id."})";

// Every client-writable task field (tasks/task_validation.hpp).
std::string task_fields() {
  return R"(
    "title": {"type": "string", "minLength": 1, "maxLength": 500, "description": "Short title, 1 to 500 characters."},
    "description": {"type": "string", "maxLength": 10000, "description": "Longer notes, at most 10 000 characters."},
    "completed": {"type": "boolean"},
    "priority": {"type": "string", "enum": ["low", "medium", "high"], "description": "Defaults to medium."},
    "tags": {"type": "array", "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 50}, "description": "At most 20 tags of 1 to 50 characters."},
    "due_at": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339 date-time with offset, e.g. 2026-12-01T09:00:00Z; null for none."},
    "remind_at": {"type": ["string", "null"], "format": "date-time", "description": "When to remind, RFC 3339; null for none."},
    "recurrence": {"type": ["string", "null"], "description": "An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO; null for none."},
    "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "description": "IANA time zone of the recurrence, e.g. Europe/Paris; defaults to UTC."})";
}

json::value parse_schema(const std::string& text) {
  return json::parse(text);
}

constexpr const char* kTask = R"({
  "type": "object",
  "required": ["id", "user_id", "title", "description", "completed", "priority", "tags", "due_at",
               "remind_at", "recurrence", "timezone", "created_at", "updated_at", "completed_at", "version"],
  "properties": {
    "id": {"type": "integer"}, "user_id": {"type": "string"}, "title": {"type": "string"},
    "description": {"type": "string"}, "completed": {"type": "boolean"},
    "priority": {"type": "string", "enum": ["low", "medium", "high"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "due_at": {"type": ["string", "null"]}, "remind_at": {"type": ["string", "null"]},
    "recurrence": {"type": ["string", "null"]}, "timezone": {"type": "string"},
    "created_at": {"type": "string"}, "updated_at": {"type": "string"},
    "completed_at": {"type": ["string", "null"]}, "version": {"type": "integer"},
    "series_id": {"type": ["integer", "null"]}
  }
})";

std::string task_list_text() {
  return std::string(R"({"type": "object", "required": ["tasks", "next_cursor"], "properties": {
    "tasks": {"type": "array", "items": )") +
         kTask + R"(},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor to search_tasks for the next page; null on the last."}}})";
}

}  // namespace

const json::value& add_task_input() {
  static const json::value kSchema = parse_schema(
      std::string(
          R"({"type": "object", "required": ["title"], "additionalProperties": false, "properties": {)") +
      kUserId + "," + task_fields() + "}}");
  return kSchema;
}

const json::value& update_task_input() {
  static const json::value kSchema = parse_schema(
      std::string(
          R"({"type": "object", "required": ["task_id"], "additionalProperties": false, "properties": {)") +
      kUserId + "," + kTaskId + "," + task_fields() + "}}");
  return kSchema;
}

const json::value& task_id_input() {
  static const json::value kSchema = parse_schema(
      std::string(
          R"({"type": "object", "required": ["task_id"], "additionalProperties": false, "properties": {)") +
      kUserId + "," + kTaskId + "}}");
  return kSchema;
}

const json::value& complete_task_input() {
  static const json::value kSchema = parse_schema(
      std::string(
          R"({"type": "object", "required": ["task_id"], "additionalProperties": false, "properties": {)") +
      kUserId + "," + kTaskId +
      R"(, "completed": {"type": "boolean", "description": "true (the default) marks it done, false marks it not done."}}})");
  return kSchema;
}

const json::value& list_tasks_input() {
  static const json::value kSchema = parse_schema(
      std::string(R"({"type": "object", "additionalProperties": false, "properties": {)") +
      kUserId +
      R"(, "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks; defaults to all."}}})");
  return kSchema;
}

const json::value& search_tasks_input() {
  static const json::value kSchema = parse_schema(
      std::string(R"({"type": "object", "additionalProperties": false, "properties": {)") +
      kUserId + R"(,
    "q": {"type": "string", "maxLength": 200, "description": "Words that must all appear in the title or description (case and accents ignored)."},
    "status": {"type": "string", "enum": ["all", "pending", "completed"]},
    "priority": {"type": "string", "enum": ["low", "medium", "high"]},
    "tag": {"type": "array", "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 50}, "description": "Tasks carrying every one of these tags."},
    "due_before": {"type": "string", "format": "date-time"},
    "due_after": {"type": "string", "format": "date-time"},
    "sort": {"type": "string", "enum": ["created_at", "updated_at", "due_at", "priority", "title"]},
    "order": {"type": "string", "enum": ["asc", "desc"]},
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Page size, default 50."},
    "cursor": {"type": "string", "description": "next_cursor of the previous page."}}})");
  return kSchema;
}

const json::value& list_audit_input() {
  static const json::value kSchema = parse_schema(
      std::string(R"({"type": "object", "additionalProperties": false, "properties": {)") +
      kUserId + R"(,
    "event_type": {"type": "array", "maxItems": 4, "items": {"type": "string", "enum": ["created", "updated", "completed", "deleted"]}},
    "task_id": {"type": "integer", "minimum": 1},
    "from": {"type": "string", "format": "date-time", "description": "Entries at or after this time."},
    "to": {"type": "string", "format": "date-time", "description": "Entries before this time."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 200},
    "cursor": {"type": "string"}}})");
  return kSchema;
}

const json::value& task_object() {
  static const json::value kSchema = parse_schema(kTask);
  return kSchema;
}

const json::value& change_output() {
  static const json::value kSchema = parse_schema(
      std::string(
          R"({"type": "object", "required": ["task_id", "status", "title", "task"], "properties": {
    "task_id": {"type": "integer"},
    "status": {"type": "string", "enum": ["created", "updated", "completed"]},
    "title": {"type": "string"}, "task": )") +
      kTask + "}}");
  return kSchema;
}

const json::value& deleted_output() {
  static const json::value kSchema =
      parse_schema(R"({"type": "object", "required": ["task_id", "status", "title"], "properties": {
    "task_id": {"type": "integer"}, "status": {"type": "string", "enum": ["deleted"]}, "title": {"type": "string"}}})");
  return kSchema;
}

const json::value& get_task_output() {
  static const json::value kSchema = parse_schema(
      std::string(R"({"type": "object", "required": ["task"], "properties": {"task": )") + kTask +
      "}}");
  return kSchema;
}

const json::value& task_list_output() {
  static const json::value kSchema = parse_schema(task_list_text());
  return kSchema;
}

const json::value& audit_output() {
  static const json::value kSchema =
      parse_schema(R"({"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": {"type": "object", "required": ["event_id", "event_type", "user_id", "task_id", "timestamp"],
      "properties": {"event_id": {"type": "string"}, "event_type": {"type": "string"}, "user_id": {"type": "string"},
                     "task_id": {"type": "integer"}, "timestamp": {"type": "string"}, "task_data": {"type": "object"}}}},
    "next_cursor": {"type": ["string", "null"]}}})");
  return kSchema;
}

}  // namespace todo::tools::schemas
