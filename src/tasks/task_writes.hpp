#pragma once
// TaskWrites: how code outside the tasks module's routes says that it committed a change to a
// user's tasks (the recurrence consumer creating a next occurrence), so that what the tasks
// module keeps per user (tasks/list_cache.hpp: cached list answers) is dropped. Listeners
// are added while the modules are built (the tasks module adds its cache); afterwards the
// object is read-only, and written() may be called from any thread, after the commit.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace todo {

class TaskWrites {
 public:
  using Listener = std::function<void(const std::string& user_id)>;
  void listen(Listener listener) { listeners_.push_back(std::move(listener)); }
  void written(const std::string& user_id) const {
    for (const auto& listener : listeners_) listener(user_id);
  }

 private:
  std::vector<Listener> listeners_;
};

}  // namespace todo
