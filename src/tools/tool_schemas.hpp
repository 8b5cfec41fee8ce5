#pragma once
// The JSON Schemas of the tools (tools/registry.cpp), defined once. The task fields restate
// the REST validation's limits (tasks/task_validation.hpp: title 1..500 characters,
// description <= 10 000, at most 20 tags of 1..50 characters, priority low|medium|high);
// tests/unit/tool_registry_test.cpp runs both on the boundaries and fails when they drift.
#include <boost/json/value.hpp>

namespace todo::tools::schemas {

// Inputs (type object, additionalProperties false; every one accepts an optional `user_id`,
// kept for the hackathon's tools: it must name the caller).
const boost::json::value& add_task_input();
const boost::json::value& update_task_input();
const boost::json::value& task_id_input();  // get_task, delete_task
const boost::json::value& complete_task_input();
const boost::json::value& list_tasks_input();
const boost::json::value& search_tasks_input();
const boost::json::value& list_audit_input();

// Outputs.
const boost::json::value& task_object();       // a task as the REST API returns it
const boost::json::value& change_output();     // {task_id, status, title, task}
const boost::json::value& deleted_output();    // {task_id, status: "deleted", title}
const boost::json::value& get_task_output();   // {task}
const boost::json::value& task_list_output();  // {tasks: [task...], next_cursor}
const boost::json::value& audit_output();      // {items: [event...], next_cursor}

}  // namespace todo::tools::schemas
