// consumer_test_app: a role made only of test consumers, for the Dapr shape of the consumer
// contract (tests/distributed/consumers.test.mjs). Not shipped.
//
//   consumer_test_app --listen 127.0.0.1:PORT --database-url postgres://...
//
// Serves GET /dapr/subscribe and POST /dapr/task-events through the product's own
// bus::dapr::DaprSubscriptions for two consumers of task-events:
//   contract-a  records every event in contract_effects;
//   contract-b  the same, but gives up on events whose task title contains "poison-b".
// Environment: APP_API_TOKEN (as the real roles), CONSUMER_APP_CRASH_AFTER=N and
// CONSUMER_APP_CRASH_MARKER=FILE: once N events of contract-a have committed, and FILE does
// not exist yet, create FILE and exit at once (status 137) — after the commit, before the
// sidecar gets its answer: the crash between the effect and the acknowledgement.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bus/dapr/subscriptions.hpp"
#include "http/problem.hpp"
#include "http/server.hpp"
#include "storage/database.hpp"
#include "storage/sync.hpp"
#include "test_consumer.hpp"

namespace {

using namespace todo;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// contract-a, with the crash switch.
class CrashingConsumer final : public testing_consumers::EffectConsumer {
 public:
  CrashingConsumer(long crash_after, std::string marker)
      : EffectConsumer("contract-a", ""), crash_after_(crash_after), marker_(std::move(marker)) {}
  void committed(std::span<const bus::Event> events, std::span<const Outcome>, Millis) override {
    committed_ += long(events.size());
    if (crash_after_ > 0 && committed_ >= crash_after_ && !marker_.empty() &&
        !std::filesystem::exists(marker_)) {
      std::ofstream(marker_) << "crashed after " << committed_ << " events\n";
      std::_Exit(137);
    }
  }

 private:
  long crash_after_;
  std::string marker_;
  long committed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", database_url;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--listen")
      listen = argv[i + 1];
    else if (flag == "--database-url")
      database_url = argv[i + 1];
  }
  if (database_url.empty()) {
    std::cerr << "usage: consumer_test_app --listen HOST:PORT --database-url URL\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  ops::Metrics metrics;
  auto db = storage::open_postgres({database_url, 2, 2, 64});
  auto created = storage::write_and_wait(*db, [](storage::Tx& tx) {
    testing_consumers::create_effects_table(tx);
  });
  if (!created) {
    std::cerr << "consumer_test_app: " << created.error().detail << "\n";
    return 1;
  }
  long crash_after = std::atol(env("CONSUMER_APP_CRASH_AFTER").c_str());
  std::vector<std::shared_ptr<bus::Consumer>> consumers{
      std::make_shared<CrashingConsumer>(crash_after, env("CONSUMER_APP_CRASH_MARKER")),
      std::make_shared<testing_consumers::EffectConsumer>("contract-b", "poison-b")};
  bus::dapr::DaprSubscriptions subscriptions(*db, metrics,
                                             {"kafka-pubsub", 100, 50, env("APP_API_TOKEN")},
                                             consumers);
  http::Router router;
  subscriptions.add_routes(router);
  router.add(http::beast_http::verb::get, "/healthz",
             [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               co_return http::json_response(http::beast_http::status::ok, std::string("{}"),
                                             ctx.request);
             });
  router.add(http::beast_http::verb::get, "/metrics",
             [&metrics](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               co_return http::json_response(http::beast_http::status::ok, metrics.render(),
                                             ctx.request);
             });
  http::ServerOptions options;
  options.host = listen.substr(0, listen.rfind(':'));
  options.port = static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  options.body_limit_rules.push_back({"/dapr/", subscriptions.body_limit(options.max_body_bytes)});
  http::Server server(options, router, metrics);
  unsigned short port = server.bind();
  std::cout << "listening on " << options.host << ":" << port << std::endl;
  server.run([&] { db->stop(); });
  return 0;
}
