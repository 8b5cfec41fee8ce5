#pragma once
// The module contract (ARCHITECTURE.md §2). A module is one feature — tasks, auth, audit,
// web, ops, relay, and later reminders, recurrence, notifications, mcp, chat — with
//   - its own options: its section of the configuration (a group in --help, each option with
//     its environment variable and default), validated before anything starts;
//   - its routes, its event consumers (bus/consumer.hpp), its background workers, its
//     readiness checks and its metrics (registered on the ops::Metrics it is given);
//   - only the dependencies it uses, passed to its constructor by its spec's build().
// A role is a list of modules (app/roles.cpp); `serve` (app/serve.cpp) only composes.
//
// Lifecycle (serve): every spec adds its options → the command line is parsed → the specs of
// the role validate → the platform is built (database, metrics, CPU pool, tokens, outbox
// writer) → each module is built, in role order → routes are mounted, consumers collected,
// readiness checks registered → workers start in order → the server serves → on SIGTERM the
// server drains, workers stop in reverse order, the database commits what is queued.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/consumer.hpp"
#include "http/router.hpp"

namespace todo::app {

struct Platform;

// A background activity (relay threads, retention, a scheduler). start() runs after every
// module is built and before the server accepts connections (may throw std::runtime_error:
// the start then fails with that line); stop() runs after the server drained and before the
// database stops: finish the work in hand, join the threads. Each worker documents its
// threads.
class Worker {
 public:
  virtual ~Worker() = default;
  virtual std::string_view name() const = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
};

// One line of GET /readyz. `failing` makes the role not ready (503); `degraded` is reported
// but keeps it ready (still 200: e.g. a backlog that writes can go on adding to).
struct Readiness {
  enum class Level { ok, degraded, failing };
  Level level = Level::ok;
  std::string state;       // "ok", "backlog", "unreachable", ... (the check's own word)
  std::string detail_key;  // optional extra field of /readyz's checks object, e.g.
  long long detail = 0;    // "outbox_oldest_age_ms": 1234
};

// Runs on the CPU pool when /readyz is asked (may query the database), never on an I/O
// thread.
struct ReadinessCheck {
  std::string name;
  std::function<Readiness()> check;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;
  virtual void add_routes(http::Router& router) { (void)router; }
  virtual std::vector<std::shared_ptr<bus::Consumer>> consumers() { return {}; }
  virtual std::vector<Worker*> workers() { return {}; }
  virtual std::vector<ReadinessCheck> readiness_checks() { return {}; }
};

// What the module catalog knows of a module before it is built.
class ModuleSpec {
 public:
  virtual ~ModuleSpec() = default;
  virtual std::string_view name() const = 0;
  // Adds the module's options to `app` in a group of their own.
  virtual void add_options(CLI::App& app) = 0;
  // Checks the parsed options; throws std::invalid_argument naming the option.
  virtual void validate() = 0;
  // "name=value" for each of its options, as parsed (for the start-up log). Modules take no
  // secrets in options: secrets come only from the environment, into the core configuration.
  virtual std::string describe() const = 0;
  virtual std::unique_ptr<Module> build(Platform& platform) = 0;
};

// "name=value" for each option of `group` (null: ""): the value given on the command line or
// in the environment, else the default.
std::string describe_options(const CLI::App* group);

// A spec from functions over the module's own Options struct, which the spec owns.
template <class Options>
class FunctionSpec final : public ModuleSpec {
 public:
  using AddOptions = std::function<void(CLI::App& group, Options& options)>;
  using Validate = std::function<void(const Options& options)>;
  using Build = std::function<std::unique_ptr<Module>(Platform& platform, const Options& options)>;

  FunctionSpec(std::string name, std::string title, AddOptions add, Validate validate, Build build)
      : name_(std::move(name)),
        title_(std::move(title)),
        add_(std::move(add)),
        validate_(std::move(validate)),
        build_(std::move(build)) {}

  std::string_view name() const override { return name_; }
  void add_options(CLI::App& app) override {
    if (!add_) return;
    group_ = app.add_option_group(title_);
    add_(*group_, options_);
  }
  void validate() override {
    if (validate_) validate_(options_);
  }
  std::unique_ptr<Module> build(Platform& platform) override { return build_(platform, options_); }
  std::string describe() const override { return describe_options(group_); }

 private:
  std::string name_, title_;
  AddOptions add_;
  Validate validate_;
  Build build_;
  Options options_;
  CLI::App* group_ = nullptr;
};

struct NoOptions {};

}  // namespace todo::app
