#include "app/module.hpp"

namespace todo::app {

std::string describe_options(const CLI::App* group) {
  std::string out;
  if (!group) return out;
  for (const CLI::Option* option : group->get_options()) {
    const auto& long_names = option->get_lnames();
    if (long_names.empty() || long_names.front() == "help") continue;
    const std::string& name = long_names.front();
    std::string value;
    if (option->count() > 0) {
      for (const auto& r : option->results()) value += (value.empty() ? "" : ",") + r;
    } else {
      value = option->get_default_str();
      if (value.empty() && option->get_type_size() == 0) value = "false";  // a flag not given
    }
    if (!out.empty()) out += ' ';
    out += name + "=" + (value.empty() ? "\"\"" : value);
  }
  return out;
}

}  // namespace todo::app
