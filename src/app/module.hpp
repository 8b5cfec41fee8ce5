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
// Lifecycle (serve): every spec declares its options (app/options.hpp) → the command line is parsed
// → the specs of the role validate → the platform is built (database, metrics, CPU pool, tokens,
// outbox writer) → each module is built, in role order → routes are mounted, consumers collected,
// readiness checks registered → workers start in order → the server serves → on SIGTERM the
// server drains, workers stop in reverse order, the database commits what is queued.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/options.hpp"
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
  // The module's options, bound to its own Options (a section of --help of their own).
  virtual const OptionGroup& options() const = 0;
  // Checks the parsed options; throws std::invalid_argument naming the option.
  virtual void validate() = 0;
  virtual std::unique_ptr<Module> build(Platform& platform) = 0;
};

// A spec from functions over the module's own Options struct, which the spec owns.
template <class Options>
class FunctionSpec final : public ModuleSpec {
 public:
  using AddOptions = std::function<void(OptionGroup& group, Options& options)>;
  using Validate = std::function<void(const Options& options)>;
  using Build = std::function<std::unique_ptr<Module>(Platform& platform, const Options& options)>;

  FunctionSpec(std::string name, std::string title, AddOptions add, Validate validate, Build build)
      : name_(std::move(name)),
        group_(std::move(title)),
        validate_(std::move(validate)),
        build_(std::move(build)) {
    if (add) add(group_, options_);
  }

  FunctionSpec(const FunctionSpec&) = delete;  // the group points into options_
  FunctionSpec& operator=(const FunctionSpec&) = delete;

  std::string_view name() const override { return name_; }
  const OptionGroup& options() const override { return group_; }
  void validate() override {
    if (validate_) validate_(options_);
  }
  std::unique_ptr<Module> build(Platform& platform) override { return build_(platform, options_); }

 private:
  std::string name_;
  Options options_;  // before group_: the group holds pointers into it
  OptionGroup group_;
  Validate validate_;
  Build build_;
};

struct NoOptions {};

}  // namespace todo::app
