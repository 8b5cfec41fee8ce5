#include "net/transfer.hpp"

#include <algorithm>

#include "net/classify.hpp"

namespace todo::net {

namespace {

// curl takes timeouts in long milliseconds, and 0 means "none": never let a 0 or a negative
// duration switch a timeout off.
long millis(std::chrono::milliseconds d) {
  return static_cast<long>(std::max<long long>(1, d.count()));
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace

Response make_response(Outcome outcome, std::string reason) {
  Response r;
  r.outcome = outcome;
  r.reason = std::move(reason);
  return r;
}

template <class T>
void Transfer::set(CURLoption option, T value) {
  if (!setup_error_.empty()) return;
  CURLcode code = curl_easy_setopt(easy_.get(), option, value);
  if (code != CURLE_OK) setup_error_ = std::string("configuring curl: ") + curl_easy_strerror(code);
}

Transfer::Transfer(Request request, HttpClient::Callback done, const HttpClientOptions& options)
    : request_(std::move(request)),
      done_(std::move(done)),
      max_response_bytes_(options.max_response_bytes),
      easy_(curl_easy_init()) {
  if (!easy_) {
    setup_error_ = "curl_easy_init failed (out of memory)";
    return;
  }
  set(CURLOPT_PRIVATE, static_cast<void*>(this));
  set(CURLOPT_ERRORBUFFER, error_);
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we are one thread of many
  set(CURLOPT_URL, request_.url.c_str());
  if (options.http_only) {
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  set(CURLOPT_PROXY, options.proxy.c_str());  // "" disables the *_proxy variables too
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_CONNECTTIMEOUT_MS,
      millis(request_.connect_timeout.value_or(options.connect_timeout)));
  set(CURLOPT_TIMEOUT_MS, millis(request_.timeout.value_or(options.timeout)));
  // TLS: verify the peer's chain and that its certificate names the host (libcurl's defaults,
  // set explicitly so that no later change of defaults can weaken them).
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) set(CURLOPT_CAINFO, options.ca_file.c_str());
  int redirects = std::clamp(request_.max_redirects, 0, kMaxRedirects);
  set(CURLOPT_FOLLOWLOCATION, redirects > 0 ? 1L : 0L);
  set(CURLOPT_MAXREDIRS, static_cast<long>(redirects));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_response_bytes_));
  set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  set_method();
  set_headers();
  for (const std::string& entry : request_.resolve) {
    if (has_line_break(entry) || !append(resolve_, entry.c_str())) {
      if (setup_error_.empty()) setup_error_ = "bad resolve entry: " + entry;
      return;
    }
  }
  if (resolve_) set(CURLOPT_RESOLVE, resolve_.get());
}

void Transfer::set_method() {
  Method m = request_.method;
  bool with_body = m == Method::post || m == Method::put || m == Method::patch ||
                   (m == Method::del && !request_.body.empty());
  if (with_body) {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
    set(CURLOPT_POSTFIELDS, request_.body.c_str());
  } else {
    set(CURLOPT_HTTPGET, 1L);
  }
  if (m != Method::get && m != Method::post) set(CURLOPT_CUSTOMREQUEST, to_string(m));
}

void Transfer::set_headers() {
  bool has_expect = false;
  for (const Header& h : request_.headers) {
    // A CR or LF would let a value start a header of its own (request splitting).
    if (h.name.empty() || h.name.find(':') != std::string::npos || has_line_break(h.name) ||
        has_line_break(h.value)) {
      if (setup_error_.empty()) setup_error_ = "bad request header name or value: " + h.name;
      return;
    }
    has_expect = has_expect || curl_strequal(h.name.c_str(), "Expect");
    // curl's syntax: "Name:" alone removes a header, "Name;" sends it with an empty value.
    std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
    if (!append(headers_, line.c_str())) setup_error_ = "out of memory building headers";
  }
  // curl adds "Expect: 100-continue" to big bodies and then waits up to 1 s for a 100 that
  // many servers never send; an empty Expect line turns that off.
  if (!has_expect && !append(headers_, "Expect:")) setup_error_ = "out of memory building headers";
  if (headers_) set(CURLOPT_HTTPHEADER, headers_.get());
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t n = size * count;
  if (t->body_.size() + n > t->max_response_bytes_) {
    t->too_large_ = true;
    return 0;  // anything but n aborts the transfer (CURLE_WRITE_ERROR)
  }
  t->body_.append(data, n);
  return n;
}

Response Transfer::finish(CURLcode code) {
  Response r;
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  if (r.status != 0) {
    // The header API (curl 7.84+) keeps the fields curl parsed; -1 = the last response.
    curl_header* h = nullptr;
    while ((h = curl_easy_nextheader(easy_.get(), CURLH_HEADER, -1, h)))
      r.headers.push_back({h->name, h->value});
  }
  curl_off_t micros = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_TOTAL_TIME_T, &micros);
  r.elapsed = std::chrono::milliseconds(micros / 1000);
  TransferResult result;
  result.code = code;
  result.status = r.status;
  result.too_large = too_large_;
  result.max_response_bytes = max_response_bytes_;
  result.error_detail = error_;
  auto location = r.header("Location");
  if (location) result.location = *location;
  Classification c = classify(result);
  r.outcome = c.outcome;
  r.reason = std::move(c.reason);
  // A partial body (timeout, reset, over the cap) is not an answer: only a complete one stays.
  if (code == CURLE_OK) r.body = std::move(body_);
  return r;
}

}  // namespace todo::net
