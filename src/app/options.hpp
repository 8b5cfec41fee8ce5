#pragma once
// A module's options, declared without the command-line library: each names its flag, its
// environment variable, its help text and the variable it sets, with an optional range.
// main.cpp (the one place that includes CLI11, app/cli_options.cpp) turns every module's
// OptionGroup into a section of `todo serve --help` and parses them; describe() renders the
// values for the start-up log.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace todo::app {

struct OptionSpec {
  std::string flag;  // "--list-cache-mb"
  std::string env;   // "TODO_LIST_CACHE_MB"
  std::string help;
  std::variant<int*, std::string*, bool*> target;        // set when given; its value is the default
  std::optional<std::pair<long long, long long>> range;  // integers only: [min, max]
};

class OptionGroup {
 public:
  explicit OptionGroup(std::string title) : title_(std::move(title)) {}

  OptionGroup& integer(std::string flag, std::string env, int& target, std::string help,
                       long long min, long long max) {
    specs_.push_back(
        {std::move(flag), std::move(env), std::move(help), &target, std::make_pair(min, max)});
    return *this;
  }
  OptionGroup& text(std::string flag, std::string env, std::string& target, std::string help) {
    specs_.push_back({std::move(flag), std::move(env), std::move(help), &target, std::nullopt});
    return *this;
  }
  OptionGroup& flag(std::string flag, std::string env, bool& target, std::string help) {
    specs_.push_back({std::move(flag), std::move(env), std::move(help), &target, std::nullopt});
    return *this;
  }

  const std::string& title() const { return title_; }
  const std::vector<OptionSpec>& options() const { return specs_; }
  // "name=value ..." of the current values (for the start-up log).
  std::string describe() const;

 private:
  std::string title_;
  std::vector<OptionSpec> specs_;
};

}  // namespace todo::app
