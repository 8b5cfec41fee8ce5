#include "net/http_client.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "net/curl_handles.hpp"
#include "net/transfer.hpp"

namespace todo::net {

void ensure_curl_global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK)
    throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(result));
}

namespace {

constexpr int kPollMillis = 1000;  // an upper bound only: curl wakes earlier for its timers

struct Pending {
  Request request;
  HttpClient::Callback done;
};

// Callbacks are the caller's code: one that throws must not take the worker thread down.
void deliver(HttpClient::Callback& done, Response response) noexcept {
  try {
    done(std::move(response));
  } catch (const std::exception& e) {
    log::error("http client: a completion callback threw: {}", e.what());
  } catch (...) {
    log::error("http client: a completion callback threw");
  }
}

Response stopping() {
  return make_response(Outcome::retry_later, "client stopping");
}

}  // namespace

struct HttpClient::State {
  MultiHandle multi;            // used by the worker only, except curl_multi_wakeup (thread-safe)
  std::mutex mutex;             // guards the three fields below
  std::deque<Pending> queue;    // accepted, not yet handed to curl
  std::size_t outstanding = 0;  // accepted, callback not yet called
  bool stopping = false;
  std::once_flag joined;
  std::thread worker;
  std::thread::id worker_id;  // written once, before any request can reach the worker
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  options_.max_queue = std::max<std::size_t>(1, options_.max_queue);
  ensure_curl_global_init();
  state_->multi.reset(curl_multi_init());
  if (!state_->multi) throw std::runtime_error("curl_multi_init failed");
  CURLM* multi = state_->multi.get();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_connections_per_host);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_total_connections);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options_.max_total_connections);
  state_->worker = std::thread([this] { run(); });
  state_->worker_id = state_->worker.get_id();
}

HttpClient::~HttpClient() {
  stop();
}

void HttpClient::send(Request request, Callback done) {
  const char* refusal = nullptr;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping)
      refusal = "client stopping";
    else if (state_->outstanding >= options_.max_queue)
      refusal = "client queue full";
    else {
      ++state_->outstanding;
      state_->queue.push_back({std::move(request), std::move(done)});
    }
  }
  if (refusal) {
    deliver(done, make_response(Outcome::retry_later, refusal));
    return;
  }
  curl_multi_wakeup(state_->multi.get());
}

Response HttpClient::send_and_wait(Request request) {
  if (std::this_thread::get_id() == state_->worker_id)
    return make_response(Outcome::give_up,
                         "send_and_wait called on the client's own thread (it would deadlock)");
  // Shared, so that the promise outlives set_value even if the waiter returns at once.
  auto promise = std::make_shared<std::promise<Response>>();
  auto future = promise->get_future();
  send(std::move(request), [promise](Response r) { promise->set_value(std::move(r)); });
  return future.get();
}

void HttpClient::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  curl_multi_wakeup(state_->multi.get());
  if (std::this_thread::get_id() == state_->worker_id) return;  // from a callback: can't join
  std::call_once(state_->joined, [this] { state_->worker.join(); });
}

void HttpClient::run() {
  State& s = *state_;
  CURLM* multi = s.multi.get();
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  auto complete = [&s](HttpClient::Callback& done, Response response) {
    {
      std::lock_guard lock(s.mutex);
      --s.outstanding;  // before the callback, so that it may send again
    }
    deliver(done, std::move(response));
  };
  for (;;) {
    std::deque<Pending> incoming;
    bool stop = false;
    {
      std::lock_guard lock(s.mutex);
      incoming.swap(s.queue);
      stop = s.stopping;
    }
    if (stop) {
      for (auto& [easy, transfer] : active) {
        curl_multi_remove_handle(multi, easy);
        complete(transfer->callback(), stopping());
      }
      for (Pending& p : incoming) complete(p.done, stopping());
      return;
    }
    for (Pending& p : incoming) {
      auto transfer = std::make_unique<Transfer>(std::move(p.request), std::move(p.done), options_);
      if (!transfer->setup_error().empty()) {
        complete(transfer->callback(), make_response(Outcome::give_up, transfer->setup_error()));
        continue;
      }
      CURLMcode added = curl_multi_add_handle(multi, transfer->easy());
      if (added != CURLM_OK) {
        complete(transfer->callback(),
                 make_response(Outcome::retry_later, std::string("curl_multi_add_handle: ") +
                                                         curl_multi_strerror(added)));
        continue;
      }
      active.emplace(transfer->easy(), std::move(transfer));
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;  // msg is invalid once the handle is removed
      auto it = active.find(easy);
      if (it == active.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(it->second);
      active.erase(it);
      Response response = transfer->finish(code);
      curl_multi_remove_handle(multi, easy);
      complete(transfer->callback(), std::move(response));
    }
    curl_multi_poll(multi, nullptr, 0, kPollMillis, nullptr);
  }
}

}  // namespace todo::net
