#include "recurrence/recurrence_module.hpp"

#include "app/platform.hpp"
#include "http/problem.hpp"
#include "recurrence/preview.hpp"
#include "recurrence/recurrence_consumer.hpp"
#include "tasks/task_writer.hpp"

namespace todo::recurrence {
namespace {

namespace asio = boost::asio;

struct PreviewDeps {
  CpuPool& cpu;
  const auth::Authenticator& authenticator;
};

// {rule, timezone, dtstart, occurrences: [RFC 3339 UTC, ...]}
asio::awaitable<http::Reply> preview(PreviewDeps& s, http::RequestContext& ctx) {
  // A preview reads no tasks, but helps to write them: tasks:read.
  auto user = co_await s.authenticator.authorize_user(ctx, auth::Scope::tasks_read);
  if (!user) co_return user.error();
  auto query = parse_preview_query(ctx.url.params());
  if (!query) co_return query.error();
  const Millis dtstart = query->dtstart.value_or(now_millis());
  // libical iterates under one lock, up to a million steps for a far DTSTART: not on an
  // I/O thread.
  auto dates_unit = [q = *query, dtstart] { return preview_dates(q, dtstart); };
  auto dates = co_await s.cpu.run(std::move(dates_unit));
  if (!dates) co_return dates.error();
  std::string body = "{\"rule\":";
  append_json_string(body, query->rule);
  body += ",\"timezone\":";
  append_json_string(body, query->timezone);
  body += ",\"dtstart\":";
  append_json_time(body, dtstart);
  body += ",\"occurrences\":[";
  for (std::size_t i = 0; i < dates->size(); ++i) {
    if (i) body += ',';
    append_json_time(body, (*dates)[i]);
  }
  body += "]}";
  co_return http::json_response(http::beast_http::status::ok, std::move(body), ctx.request);
}

class RecurrenceModule final : public app::Module {
 public:
  RecurrenceModule(CpuPool& cpu, const auth::Authenticator& authenticator,
                   const bus::OutboxWriter& outbox, const TaskWrites& task_writes,
                   ops::Metrics& metrics)
      : deps_{cpu, authenticator},
        consumer_(std::make_shared<RecurrenceConsumer>(outbox, task_writes, metrics)) {}

  std::string_view name() const override { return "recurrence"; }
  void add_routes(http::Router& router) override {
    router.add(http::beast_http::verb::get, "/api/{user_id}/recurrence/preview",
               http::with(deps_, preview));
  }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override { return {consumer_}; }

 private:
  PreviewDeps deps_;
  std::shared_ptr<RecurrenceConsumer> consumer_;
};

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<app::NoOptions>>(
      "recurrence", "Recurring tasks (recurrence module)", nullptr, nullptr,
      [](app::Platform& p, const app::NoOptions&) -> std::unique_ptr<app::Module> {
        return std::make_unique<RecurrenceModule>(p.cpu, p.authenticator, p.outbox, p.task_writes,
                                                  p.metrics);
      });
}

}  // namespace todo::recurrence
