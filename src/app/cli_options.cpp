#include "app/cli_options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/roles.hpp"

namespace todo::app {

void add_to_cli(CLI::App& app, const OptionGroup& group) {
  if (group.options().empty()) return;
  auto* section = app.add_option_group(group.title());
  for (const auto& spec : group.options()) {
    CLI::Option* option = std::visit(
        [&](auto* target) -> CLI::Option* {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, bool>)
            return section->add_flag(spec.flag, *target, spec.help);
          else
            return section->add_option(spec.flag, *target, spec.help)->capture_default_str();
        },
        spec.target);
    if (!spec.env.empty()) option->envname(spec.env);
    if (spec.range) option->check(CLI::Range(spec.range->first, spec.range->second));
  }
}

void add_role_option(CLI::App& app, std::string& role) {
  std::string help = "Role to run, a list of modules:";
  std::vector<std::string> names;
  for (const auto& r : roles()) {
    help += fmt::format(" {} ({})", r.name, fmt::join(r.modules, ", "));
    names.push_back(r.name);
  }
  app.add_option("--role", role, help)
      ->envname("TODO_ROLE")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
}

}  // namespace todo::app
