#pragma once
// HttpClient: the service's one outbound HTTP client (webhooks, an LLM endpoint, the Dapr
// sidecar's publish and Jobs APIs), over libcurl's multi interface.
//
// Shape: callers hand in a Request and get exactly one Response back, through a callback
// (send), a coroutine (net/co_send.hpp) or a blocking call (send_and_wait). Every Response
// carries an explicit Outcome — done, retry_later or give_up — with a human-readable reason,
// plus the HTTP status, headers and body so that a caller can classify differently (the
// Dapr publisher treats 404 as a configuration error, for instance).
//
// Threads: one worker thread per HttpClient drives every transfer (curl_multi_perform +
// curl_multi_poll; send() wakes it with curl_multi_wakeup). send() never blocks on the
// network: it only queues, so it is safe on an Asio I/O thread. Completion callbacks run on
// the worker thread (or, for an immediate refusal, on the thread that called send()); they
// must be quick and must not block — hand the Response to your own executor (co_send does).
//
// Connections: all transfers share the multi handle's connection cache, so consecutive
// requests to one host reuse a kept-alive connection (HTTP/1.1 persistent connections,
// RFC 9112 §9.3; HTTP/2 is negotiated over TLS by ALPN and multiplexed).
//
// Lifecycle: construct (starts the worker thread; the first HttpClient of the process runs
// curl_global_init once, under std::call_once: libcurl's only global state), send, then
// stop() or destroy. stop() cancels every queued and in-flight request — each one still gets
// its callback, with retry_later "client stopping" — and joins the worker. Requests sent after
// stop() complete at once with the same outcome. Never call stop() or destroy the client from
// one of its own callbacks.
//
// Secrets: nothing here logs a request, its headers (Authorization, dapr-api-token) or its
// body. Reasons name the failure (curl's error text, the status, a Location), never headers.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace todo::net {

// What the caller should do about a call. The default classification (see Response):
//   done        — 2xx.
//   retry_later — no HTTP answer for a transient reason (connection refused or reset, DNS
//                 failure, connect or total timeout), 5xx, 429 Too Many Requests, 408 Request
//                 Timeout, the client's queue full, the client stopping.
//   give_up     — any other 4xx; a 3xx that was not followed; TLS certificate verification
//                 failed (a certificate problem is not transient); a response over
//                 max_response_bytes; a malformed URL, a refused scheme, a bad header.
// The service's one outcome vocabulary (core/outcome.hpp); outcome_name() spells it.
using todo::Outcome;

enum class Method { get, post, put, patch, del };  // del: DELETE (`delete` is a keyword)
const char* to_string(Method method);              // "GET", "POST", ...

struct Header {
  std::string name;   // e.g. "Content-Type"; must not contain ':', CR or LF
  std::string value;  // must not contain CR or LF; may be empty (then sent with an empty value)
};

struct Request {
  Method method = Method::get;
  // Absolute URL, e.g. "http://127.0.0.1:3500/v1.0/publish/pubsub/topic?metadata.x=y".
  // Scheme http or https only while HttpClientOptions::http_only is set.
  std::string url;
  // Sent as given, in order, after curl's own (Host, User-Agent, Accept). A header given here
  // replaces curl's of the same name. Never logged.
  std::vector<Header> headers;
  // Sent for POST, PUT and PATCH (with Content-Length, even when empty), and for DELETE when
  // not empty. Set a Content-Type header yourself: none is added. "Expect: 100-continue" is
  // never sent (RFC 9110 §10.1.1 makes it optional; it costs a round trip).
  std::string body;
  // Per-request overrides of the client's defaults (CURLOPT_CONNECTTIMEOUT_MS, CURLOPT_TIMEOUT_MS).
  // `timeout` bounds the whole call: connect, TLS, sending, waiting and reading the body.
  std::optional<std::chrono::milliseconds> connect_timeout;
  std::optional<std::chrono::milliseconds> timeout;
  // 0 (default): a 3xx answer is not followed and ends in give_up "redirect not followed:
  // Location <target>". n > 0: follow up to n redirects (capped at kMaxRedirects;
  // CURLOPT_FOLLOWLOCATION + CURLOPT_MAXREDIRS), more ends in give_up "too many redirects".
  // As curl does: a 301/302/303 turns a POST into a GET (PUT, PATCH and DELETE keep their
  // method), and a given Authorization header is not sent on to another host or port.
  int max_redirects = 0;
  // Pinned addresses, curl's CURLOPT_RESOLVE syntax "host:port:address" (IPv6 in brackets):
  // the connection for host:port goes to that address without a DNS lookup. Webhooks pin the
  // address their SSRF check approved, so that DNS rebinding cannot swap it afterwards.
  std::vector<std::string> resolve;
};

inline constexpr int kMaxRedirects = 10;

struct Response {
  Outcome outcome = Outcome::give_up;
  // Why, for logs and metrics: "HTTP 204", "HTTP 503 (server error)", "client queue full",
  // "Failed to connect to 127.0.0.1 port 3500 after 0 ms: Couldn't connect to server",
  // "response too large (over 8388608 bytes)", "redirect not followed: Location /elsewhere".
  std::string reason;
  int status = 0;  // the final HTTP status; 0 when there was no HTTP answer
  // The final response's header fields (after redirects), in the order received, names as the
  // server spelled them. Empty when there was no HTTP answer.
  std::vector<Header> headers;
  std::string body;  // the response body (decoded as received: no Accept-Encoding is sent)
  std::chrono::milliseconds elapsed{0};  // whole call, as curl measured it (CURLINFO_TOTAL_TIME_T)

  bool ok() const { return outcome == Outcome::done; }
  // The first header field of that name, compared case-insensitively (RFC 9110 §5.1).
  std::optional<std::string_view> header(std::string_view name) const;
  // Retry-After (RFC 9110 §10.2.3) as a delay from now: delta-seconds, or an HTTP-date
  // (parsed by curl_getdate) minus the current time, never negative. Empty when absent or
  // unparseable.
  std::optional<std::chrono::seconds> retry_after() const;
};

struct HttpClientOptions {
  // Requests accepted and not yet completed (queued + in flight). Beyond it send() completes
  // at once with retry_later "client queue full": memory stays bounded when a peer is slow.
  std::size_t max_queue = 1024;
  // Open connections per host and in total (CURLMOPT_MAX_HOST_CONNECTIONS,
  // CURLMOPT_MAX_TOTAL_CONNECTIONS); transfers over these wait inside curl for a free one
  // (the wait counts against their timeout). The total is also the size of the cache of
  // kept-alive connections (CURLMOPT_MAXCONNECTS).
  long max_connections_per_host = 8;
  long max_total_connections = 64;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{30'000};
  // Largest response body accepted (CURLOPT_MAXFILESIZE_LARGE when Content-Length announces
  // it, and counted while receiving otherwise); a bigger one aborts the transfer with
  // give_up "response too large".
  std::size_t max_response_bytes = std::size_t{8} << 20;
  // PEM file of the CA certificates to trust instead of the system store (CURLOPT_CAINFO):
  // for a private CA, or a test's self-signed certificate. Empty: the system store.
  // Peer and host name verification are always on (CURLOPT_SSL_VERIFYPEER = 1,
  // CURLOPT_SSL_VERIFYHOST = 2); there is no option to turn them off.
  std::string ca_file;
  std::string user_agent = "todo-platform";
  // Allow only http and https, for requests and redirects (CURLOPT_PROTOCOLS_STR,
  // CURLOPT_REDIR_PROTOCOLS_STR): a URL taken from a user (a webhook) cannot reach file://,
  // gopher:// and friends.
  bool http_only = true;
  // Proxy URL (CURLOPT_PROXY). Empty: no proxy, and the http_proxy/https_proxy environment
  // variables are ignored, so that a stray variable never reroutes calls to the sidecar.
  std::string proxy;
};

class HttpClient {
 public:
  using Callback = std::function<void(Response)>;

  // Starts the worker thread. Throws std::runtime_error if curl cannot be initialised (out
  // of memory at start-up); never after.
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();  // stop()
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues the request and returns at once; `done` is called exactly once with the outcome,
  // on the worker thread — or right here, before send() returns, when the request is refused
  // (queue full, client stopping). Callbacks must not throw (an exception is logged and
  // swallowed) and must not block.
  void send(Request request, Callback done);

  // Blocks the calling thread until the response is there: for background threads (the
  // outbox relay), never for an I/O thread. Called from one of this client's own callbacks it
  // would deadlock, so it answers give_up at once instead.
  Response send_and_wait(Request request);

  // Cancels queued and in-flight requests (each gets retry_later "client stopping") and
  // joins the worker thread. Idempotent; also run by the destructor.
  void stop();

  const HttpClientOptions& options() const { return options_; }

 private:
  struct State;
  void run();

  HttpClientOptions options_;
  std::unique_ptr<State> state_;  // the queue, the multi handle, the worker thread
};

}  // namespace todo::net
