#include "stream/stream_module.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/platform.hpp"
#include "config/duration.hpp"
#include "core/log.hpp"
#include "http/id_paging.hpp"
#include "http/problem.hpp"
#include "http/sse.hpp"
#include "storage/await.hpp"
#include "storage/outbox_store.hpp"
#include "storage/stream_store.hpp"
#include "storage/sync.hpp"
#include "stream/hub.hpp"
#include "stream/resume.hpp"
#include "stream/stream_consumer.hpp"

namespace todo::stream {
namespace {

namespace asio = boost::asio;
using status = http::beast_http::status;

constexpr int kPruneBatch = 1000;
// A user's task events are appended while the user listened within this window
// (StreamConsumer): the retention, but never less than a few minutes, so that the worker's
// refresh of open streams (touch(), at most a minute apart) always lands inside it.
constexpr std::chrono::milliseconds kMinListeningWindow = std::chrono::minutes(5);
// listen() calls a user "lapsed" this much earlier than the consumer's cutoff would: clocks
// of two processes may differ, and calling a gap where there was none only costs a reset.
constexpr std::chrono::milliseconds kLapseMargin = std::chrono::minutes(1);

std::chrono::milliseconds listening_window(std::chrono::milliseconds retention) {
  return std::max<std::chrono::milliseconds>(retention, kMinListeningWindow);
}
// How long EventSource waits before reconnecting (its default is a few seconds; a lost
// connection should come back quickly: the reconnect replays what was missed anyway).
constexpr std::string_view kRetryField = "retry: 2000\n\n";

struct StreamDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  const auth::Authenticator& authenticator;
  StreamHub& hub;
  std::size_t max_open;
  std::chrono::milliseconds heartbeat;
  std::chrono::milliseconds window;  // listening_window()
  ListeningUsers* listening;         // SQLite only (stream/listening_users.hpp), else null
};

// Last-Event-ID (header) or ?last_event_id= (the header wins: see stream/resume.hpp).
Result<std::optional<std::int64_t>> last_event_id(const http::RequestContext& ctx) {
  std::optional<std::string> query;
  if (auto repeated = http::repeated_params_error(ctx.url.params())) return std::move(*repeated);
  for (const auto& p : ctx.url.params()) {
    if (p.key.empty() && p.value.empty()) continue;
    if (p.key != "last_event_id")
      return Error::field(ErrorKind::bad_request, std::string(p.key.substr(0, 64)),
                          "is not a known parameter (last_event_id)");
    query = p.value;
  }
  auto header = ctx.request["Last-Event-ID"];
  if (!header.empty())
    return parse_last_event_id(std::string_view(header.data(), header.size()), "Last-Event-ID");
  if (query) return parse_last_event_id(*query, "last_event_id");
  return std::optional<std::int64_t>();
}

asio::awaitable<http::Reply> open_stream(StreamDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  // The stream outlives the request: its session is checked again while it is open.
  auto claims = s.authenticator.session(ctx);
  if (!claims) co_return claims.error();
  auto last = last_event_id(ctx);
  if (!last) co_return last.error();
  if (s.hub.open() >= s.max_open)
    co_return Error::make(ErrorKind::unavailable,
                          "too many open streams on this server (--stream-max-open)");
  // Listening from this commit on: every task event written after it is addressed to the
  // stream consumer (on PostgreSQL the outbox INSERT reads the mark, storage::OutboxAddress;
  // on SQLite wants() reads the in-memory marks, set first) and appended (the consumer checks
  // again in its own transaction), so the position read here misses nothing that commits
  // after the answer.
  Millis now = now_millis();
  if (s.listening) s.listening->listened(*user, now);  // before the write: see the header
  Millis lapsed_before = now - Millis((s.window - kLapseMargin).count());
  auto unit = [u = *user, now, lapsed_before](storage::Tx& tx) {
    return Result<storage::StreamPosition>(storage::stream(tx).listen(u, now, lapsed_before));
  };
  auto position =
      co_await storage::db_write<storage::StreamPosition>(s.db, s.metrics, std::move(unit));
  if (!position) co_return position.error();
  // PostgreSQL: an event whose outbox row was being written without seeing the mark commits
  // before the stream answers (OutboxStore::settle waits for it): it is part of the state the
  // client loads, not of the stream.
  // (A named unit, as above: GCC 12 destroys a capturing lambda temporary inside a co_await
  // twice.)
  auto settle = [u = *user](storage::Tx& tx) {
    storage::outbox(tx).settle(u);
    return Result<Unit>(Unit{});
  };
  if (!s.listening) {
    auto settled = co_await storage::db_read<Unit>(s.db, s.metrics, std::move(settle));
    if (!settled) co_return settled.error();
  }
  ResumePlan plan = plan_resume(*last, *position);

  http::StreamOptions options;
  options.heartbeat = s.heartbeat;
  // A browser tab reads as fast as events come; a reader this far behind is dropped (it
  // reconnects with Last-Event-ID and is replayed from the log), so a stuck one costs at
  // most this. It must hold a whole read of the hub (StreamHub's read_batch rows: 64 of the
  // largest task events, ~12 kB each, fit) or a replay would drop even a fast reader.
  options.max_queued_bytes = std::size_t{1} << 20;
  auto stream = ctx.open_stream(options);
  std::string first(kRetryField);
  // The reset's id is where the client stands now: its next reconnect resumes from there.
  if (plan.reset) first += http::sse_message(std::to_string(plan.start), "reset", "{}");
  stream->push(std::move(first));
  s.hub.subscribe(*user, stream, plan.start,
                  [&auth = s.authenticator, c = std::move(*claims)](Millis now) {
                    return auth.still_valid(c, now);
                  });

  http::Response head{status::ok, ctx.request.version()};
  head.set(http::beast_http::field::content_type, "text/event-stream");
  head.set(http::beast_http::field::cache_control, "no-store");
  head.set("X-Accel-Buffering", "no");  // nginx (the UI container) must not buffer it
  co_return head;
}

// The LISTEN connection (PostgreSQL) and the pruning thread.
class StreamWorker final : public app::Worker {
 public:
  StreamWorker(storage::Database& db, ops::Metrics& metrics, StreamHub& hub,
               ListeningUsers* listening, std::string postgres_url,
               std::chrono::milliseconds retention)
      : db_(db),
        metrics_(metrics),
        hub_(hub),
        listening_(listening),
        postgres_url_(std::move(postgres_url)),
        retention_(retention) {}
  ~StreamWorker() override { stop(); }

  std::string_view name() const override { return "stream"; }

  void start() override {
    if (!postgres_url_.empty())
      listener_ =
          storage::listen_postgres_payloads(postgres_url_, std::string(storage::kStreamChannel),
                                            [this](const std::optional<std::string>& user_id) {
                                              // On the listener's thread. nullopt: (re)connected,
                                              // NOTIFYs may have been missed.
                                              if (user_id)
                                                hub_.wake(*user_id);
                                              else
                                                hub_.wake_all();
                                            });
    stopping_ = false;
    thread_ = std::thread([this] { prune_loop(); });
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wakeup_.notify_all();
    if (thread_.joinable()) thread_.join();
    listener_.reset();
    hub_.stop();
  }

 private:
  // Every second: streams whose session ended (sign-out, expiry) are closed. Every quarter
  // of the retention (1 s to 1 min): the users of the open streams are marked listening
  // (touch: they stay inside the listening window however long a stream lasts), and rows
  // older than the retention go, kPruneBatch per transaction so that no write holds the
  // writer long.
  void prune_loop() {
    auto interval = std::clamp<std::chrono::milliseconds>(retention_ / 4, std::chrono::seconds(1),
                                                          std::chrono::minutes(1));
    auto next_prune = std::chrono::steady_clock::now() + interval;
    std::unique_lock lock(mutex_);
    while (!wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
      lock.unlock();
      hub_.sweep(now_millis());
      if (std::chrono::steady_clock::now() >= next_prune) {
        next_prune = std::chrono::steady_clock::now() + interval;
        try {
          touch_open_users();
          prune();
        } catch (const std::exception& e) {
          log::warn("stream: pruning failed: {}", e.what());
        }
      }
      lock.lock();
    }
  }

  void touch_open_users() {
    auto users = hub_.users();
    Millis now = now_millis();
    if (listening_) {
      for (const auto& user : users) listening_->listened(user, now);
      listening_->forget_before(now);
    }
    if (users.empty()) return;
    auto status = storage::write_and_wait(
        db_, [&](storage::Tx& tx) { storage::stream(tx).touch(users, now); });
    if (!status) throw std::runtime_error(status.error().detail);
  }

  void prune() {
    for (;;) {
      std::int64_t removed = 0;
      Millis before = now_millis() - Millis(retention_.count());
      auto status = storage::write_and_wait(
          db_, [&](storage::Tx& tx) { removed = storage::stream(tx).prune(before, kPruneBatch); });
      if (!status) throw std::runtime_error(status.error().detail);
      if (removed) metrics_.add("todo_stream_pruned_total", "", std::uint64_t(removed));
      if (removed < kPruneBatch) return;
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
  }

  storage::Database& db_;
  ops::Metrics& metrics_;
  StreamHub& hub_;
  ListeningUsers* listening_;
  std::string postgres_url_;
  std::chrono::milliseconds retention_;
  std::unique_ptr<storage::NotificationListener> listener_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

class StreamModule final : public app::Module {
 public:
  StreamModule(storage::Database& db, ops::Metrics& metrics,
               const auth::Authenticator& authenticator, storage::StreamSignal& signal,
               const std::string& postgres_url, const StreamOptions& o)
      : hub_(db, metrics),
        window_(listening_window(std::chrono::seconds(*parse_duration_seconds(o.retention)))),
        listening_(window_),
        consumer_(std::make_shared<StreamConsumer>(
            [this](const std::string& u, std::vector<storage::StreamRow> rows) {
              hub_.offer(u, std::move(rows));
            },
            [this](const std::string& u) { hub_.wake(u); }, window_,
            postgres_url.empty() ? &listening_ : nullptr)),
        deps_{db,
              metrics,
              authenticator,
              hub_,
              std::size_t(o.max_open),
              std::chrono::seconds(*parse_duration_seconds(o.heartbeat)),
              window_,
              postgres_url.empty() ? &listening_ : nullptr},
        worker_(db, metrics, hub_, postgres_url.empty() ? &listening_ : nullptr, postgres_url,
                std::chrono::seconds(*parse_duration_seconds(o.retention))) {
    // SQLite: who listens, loaded before the relay starts (the last module); until then
    // every user counts as listening.
    if (postgres_url.empty()) {
      std::vector<std::pair<std::string, Millis>> users;
      Millis since = now_millis() - Millis(window_.count());
      auto status = storage::read_and_wait(
          db, [&](storage::Tx& tx) { users = storage::stream(tx).listeners(since); });
      if (status) listening_.load(users);
    }
    signal.listen([this](const std::string& u) { hub_.wake(u); });
    metrics.add_gauge("todo_stream_open", "Open live-update (SSE) streams.",
                      [this] { return double(hub_.open()); });
    metrics.describe("todo_stream_messages_total", "counter",
                     "Live-update messages pushed to open streams.");
    metrics.describe("todo_stream_lag_seconds", "histogram",
                     "A stream event's append (in the committing transaction) to its push to "
                     "an open stream's socket queue.");
    metrics.describe("todo_stream_pruned_total", "counter",
                     "Stream log rows deleted past --stream-retention.");
    metrics.add("todo_stream_messages_total", "", 0);
    metrics.add("todo_stream_pruned_total", "", 0);
  }

  std::string_view name() const override { return "stream"; }
  void add_routes(http::Router& router) override {
    router.add(http::beast_http::verb::get, "/api/{user_id}/stream",
               http::with(deps_, open_stream));
  }
  std::vector<std::shared_ptr<bus::Consumer>> consumers() override { return {consumer_}; }
  std::vector<app::Worker*> workers() override { return {&worker_}; }

 private:
  StreamHub hub_;
  std::chrono::milliseconds window_;
  ListeningUsers listening_;
  std::shared_ptr<StreamConsumer> consumer_;
  StreamDeps deps_;
  StreamWorker worker_;
};

void check_duration(const std::string& flag, const std::string& value, long long min_seconds) {
  auto seconds = parse_duration_seconds(value);
  if (!seconds || *seconds < min_seconds)
    throw std::invalid_argument(flag + " must look like 24h, 30m or 15s (at least " +
                                std::to_string(min_seconds) + "s), got '" + value + "'");
}

}  // namespace

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<StreamOptions>>(
      "stream", "Live updates over Server-Sent Events (stream module)",
      [](app::OptionGroup& group, StreamOptions& o) {
        group.text("--stream-retention", "TODO_STREAM_RETENTION", o.retention,
                   "How long stream events are kept for clients that reconnect with "
                   "Last-Event-ID (older: they get a reset and reload)");
        group.text("--stream-heartbeat", "TODO_STREAM_HEARTBEAT", o.heartbeat,
                   "A comment is sent on an idle stream this often, so proxies keep it open");
        group.integer("--stream-max-open", "TODO_STREAM_MAX_OPEN", o.max_open,
                      "Open streams at most on this process; past it: 503", 1, 1000000);
      },
      [](const StreamOptions& o) {
        check_duration("--stream-retention", o.retention, 1);
        check_duration("--stream-heartbeat", o.heartbeat, 1);
      },
      [](app::Platform& p, const StreamOptions& o) -> std::unique_ptr<app::Module> {
        return std::make_unique<StreamModule>(
            p.db, p.metrics, p.authenticator, p.stream_signal,
            p.config.uses_postgres() ? p.config.database_url : std::string(), o);
      });
}

}  // namespace todo::stream
