#pragma once
// RAII owners of libcurl's handles (internal to src/net): an easy handle (one transfer), a
// multi handle (the worker's transfers and their shared connection cache) and a header list.
// Each deleter is the matching curl cleanup call; a null handle is never passed to it.
#include <curl/curl.h>

#include <memory>

namespace todo::net {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends one line to a header list; false when curl could not allocate (the list is kept).
inline bool append(HeaderList& list, const char* line) {
  curl_slist* grown = curl_slist_append(list.get(), line);
  if (!grown) return false;
  (void)list.release();  // curl_slist_append returned the same head, now one longer
  list.reset(grown);
  return true;
}

// curl_global_init(CURL_GLOBAL_DEFAULT), exactly once per process (std::call_once), before
// the first handle is made. libcurl is built thread-safe here (curl-config --features lists
// "threadsafe", 7.84+), but call_once keeps this correct with any build. curl_global_cleanup
// is never called: it is optional at exit, and unsafe while any thread may still use curl.
// Throws std::runtime_error when the init fails.
void ensure_curl_global_init();

}  // namespace todo::net
