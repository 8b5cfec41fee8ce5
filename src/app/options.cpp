#include "app/options.hpp"

#include "core/redact.hpp"

namespace todo::app {

std::string OptionGroup::describe() const {
  std::string out;
  for (const auto& spec : specs_) {
    std::string name = spec.flag.starts_with("--") ? spec.flag.substr(2) : spec.flag;
    std::string value = std::visit(
        [](auto* target) -> std::string {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, std::string>)
            return target->empty() ? "\"\"" : *target;
          else if constexpr (std::is_same_v<T, bool>)
            return *target ? "true" : "false";
          else
            return std::to_string(*target);
        },
        spec.target);
    // A URL may carry a password (user:password@host): masked like DATABASE_URL's.
    if (name.ends_with("url") && value != "\"\"") value = redact_url(value);
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace todo::app
