// listen_postgres (storage/database.hpp): LISTEN on a dedicated connection. The thread waits
// in poll() on the connection's socket with a short timeout, so stopping never waits long.
#include <poll.h>

#include <atomic>
#include <thread>

#include "core/log.hpp"
#include "storage/database.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage {
namespace {

// Either callback form: `on_notify_` once per batch of notifications (and after a
// reconnect), or `on_payload_` once per notification (and with nullopt after every connect).
class PgListener final : public NotificationListener {
 public:
  PgListener(std::string url, std::string channel, std::function<void()> on_notify)
      : url_(std::move(url)), channel_(std::move(channel)), on_notify_(std::move(on_notify)) {
    thread_ = std::thread([this] { run(); });
  }
  PgListener(std::string url, std::string channel,
             std::function<void(const std::optional<std::string>&)> on_payload)
      : url_(std::move(url)), channel_(std::move(channel)), on_payload_(std::move(on_payload)) {
    thread_ = std::thread([this] { run(); });
  }
  ~PgListener() override {
    stopping_ = true;
    thread_.join();
  }

 private:
  void run() {
    auto backoff = std::chrono::milliseconds(100);
    bool first = true;
    while (!stopping_) {
      try {
        postgres::Handle db(url_);
        std::string sql = "LISTEN " + channel_;
        db.exec_script(sql.c_str());
        if (on_payload_)
          on_payload_(std::nullopt);  // LISTEN is in place: read what may have been missed
        else if (!first)
          on_notify_();  // what was sent while we were away
        first = false;
        backoff = std::chrono::milliseconds(100);
        listen(db);
      } catch (const std::exception& e) {
        log::warn("LISTEN {}: {}; retrying in {} ms", channel_, e.what(), backoff.count());
      }
      for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stopping_;
           waited += std::chrono::milliseconds(50))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }

  // Returns when the connection breaks or on stop.
  void listen(postgres::Handle& db) {
    PGconn* conn = db.raw();
    while (!stopping_) {
      pollfd fd{PQsocket(conn), POLLIN, 0};
      if (fd.fd < 0) return;
      int ready = ::poll(&fd, 1, 200);
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) continue;
      if (!PQconsumeInput(conn)) {
        log::warn("LISTEN {}: connection lost: {}", channel_, PQerrorMessage(conn));
        return;
      }
      bool notified = false;
      while (PGnotify* n = PQnotifies(conn)) {
        notified = true;
        std::optional<std::string> payload(n->extra ? n->extra : "");
        PQfreemem(n);
        if (on_payload_) on_payload_(payload);
      }
      if (notified && on_notify_) on_notify_();
    }
  }

  std::string url_, channel_;
  std::function<void()> on_notify_;
  std::function<void(const std::optional<std::string>&)> on_payload_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<NotificationListener> listen_postgres(const std::string& url, std::string channel,
                                                      std::function<void()> on_notify) {
  return std::make_unique<PgListener>(url, std::move(channel), std::move(on_notify));
}

std::unique_ptr<NotificationListener> listen_postgres_payloads(
    const std::string& url, std::string channel,
    std::function<void(const std::optional<std::string>&)> on_notify) {
  return std::make_unique<PgListener>(url, std::move(channel), std::move(on_notify));
}

}  // namespace todo::storage
