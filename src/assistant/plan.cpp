#include "assistant/plan.hpp"

#include <boost/json.hpp>

namespace todo::assistant {

namespace json = boost::json;

std::optional<ToolCall> direct_call(const Command& c, const Clock& clock) {
  switch (c.verb) {
    case Verb::add: {
      const TaskDraft& d = c.draft;
      json::object args{{"title", d.title}};
      if (d.due_at) args["due_at"] = format_rfc3339(*d.due_at);
      if (d.remind_at) args["remind_at"] = format_rfc3339(*d.remind_at);
      if (d.priority) args["priority"] = *d.priority;
      if (!d.tags.empty()) {
        json::array tags;
        for (const auto& tag : d.tags) tags.emplace_back(tag);
        args["tags"] = std::move(tags);
      }
      if (d.recurrence) args["recurrence"] = *d.recurrence;
      // The zone the dates were read in; recurrences are expanded in it.
      args["timezone"] = clock.timezone;
      return ToolCall{"add_task", std::move(args)};
    }
    case Verb::list: {
      const ListFilter& f = c.filter;
      if (!f.tag && !f.priority && !f.due_after && !f.due_before)
        return ToolCall{"list_tasks", {{"status", f.status}}};
      json::object args{{"status", f.status}};
      if (f.tag) args["tag"] = json::array{json::string(*f.tag)};
      if (f.priority) args["priority"] = *f.priority;
      if (f.due_after) args["due_after"] = format_rfc3339(*f.due_after);
      if (f.due_before) args["due_before"] = format_rfc3339(*f.due_before);
      if (f.by_due) {
        args["sort"] = "due_at";
        args["order"] = "asc";
      }
      args["limit"] = 200;
      return ToolCall{"search_tasks", std::move(args)};
    }
    case Verb::search:
      return ToolCall{"search_tasks", {{"q", c.text}, {"limit", 50}}};
    default:
      return std::nullopt;
  }
}

std::optional<ToolCall> action_call(const Command& c, std::int64_t task_id) {
  switch (c.verb) {
    case Verb::complete:
      return ToolCall{"complete_task", {{"task_id", task_id}}};
    case Verb::reopen:
      return ToolCall{"complete_task", {{"task_id", task_id}, {"completed", false}}};
    case Verb::rename:
      return ToolCall{"update_task", {{"task_id", task_id}, {"title", c.text}}};
    case Verb::reschedule:
      if (!c.due) return std::nullopt;
      return ToolCall{"update_task", {{"task_id", task_id}, {"due_at", format_rfc3339(*c.due)}}};
    case Verb::set_priority:
      return ToolCall{"update_task", {{"task_id", task_id}, {"priority", c.priority}}};
    case Verb::remove:
      return ToolCall{"delete_task", {{"task_id", task_id}}};
    default:
      return std::nullopt;
  }
}

ToolCall lookup_call(const Command& c) {
  const char* status = c.verb == Verb::complete ? "pending"
                       : c.verb == Verb::reopen ? "completed"
                                                : "all";
  return ToolCall{"search_tasks", {{"q", c.target.title}, {"status", status}, {"limit", 20}}};
}

bool is_listing(std::string_view name) {
  return name == "list_tasks" || name == "search_tasks";
}

bool is_write(std::string_view name) {
  return name == "add_task" || name == "complete_task" || name == "update_task" ||
         name == "delete_task";
}

}  // namespace todo::assistant
