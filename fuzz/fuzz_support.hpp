#pragma once
// Shared by the fuzz targets (fuzz/README.md): invariant checks that abort, so that libFuzzer
// keeps the input as a crash, and a reader that cuts the fuzzer's bytes into the several
// inputs a target needs (a selector byte, a header value, a body...).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"

// Like assert, but also in release builds and with the failed condition printed.
#define FUZZ_CHECK(cond)                                                                      \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Bad input must be refused with a 4xx, never become a 500 (common rules: ErrorKind::internal
// is a bug).
inline bool is_client_error(const todo::Error& e) {
  return e.kind != todo::ErrorKind::internal && e.kind != todo::ErrorKind::unavailable;
}

// Reads the input front to back: a byte, or the text up to a separator (the separator is
// consumed; the rest when there is none).
class Reader {
 public:
  explicit Reader(std::string_view text) : rest_(text) {}
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view until(char separator) {
    auto at = rest_.find(separator);
    std::string_view part = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return part;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace fuzz
