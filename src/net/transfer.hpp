#pragma once
// Transfer (internal to src/net): one request's curl easy handle, configured from the
// Request and the client's options, the body received so far, and the caller's callback.
// Made and used only on the client's worker thread.
#include <curl/curl.h>

#include <string>

#include "net/curl_handles.hpp"
#include "net/http_client.hpp"

namespace todo::net {

class Transfer {
 public:
  // Configures the handle; when that fails (bad header, curl out of memory) setup_error()
  // says why and the transfer must not be started.
  Transfer(Request request, HttpClient::Callback done, const HttpClientOptions& options);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* easy() const { return easy_.get(); }
  const std::string& setup_error() const { return setup_error_; }
  HttpClient::Callback& callback() { return done_; }

  // Once curl reported the transfer finished with `code` (still attached to the multi handle,
  // so that the header API sees the last response): status, headers, body, classification.
  Response finish(CURLcode code);

 private:
  template <class T>
  void set(CURLoption option, T value);
  void set_method();
  void set_headers();
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);

  Request request_;  // owns the body curl sends from (CURLOPT_POSTFIELDS does not copy)
  HttpClient::Callback done_;
  std::size_t max_response_bytes_;
  EasyHandle easy_;
  HeaderList headers_;
  HeaderList resolve_;  // Request::resolve (CURLOPT_RESOLVE)
  std::string body_;
  bool too_large_ = false;
  std::string setup_error_;
  char error_[CURL_ERROR_SIZE] = {};
};

// A Response made without a transfer (refusals, cancellation): no status, no headers.
Response make_response(Outcome outcome, std::string reason);

}  // namespace todo::net
