#pragma once
// FieldErrors: collects the field errors of one request, so that a client can fix them all
// at once, and builds the Error (core/error.hpp) that http/problem.cpp turns into a problem
// document with an `errors` list.
//
// Bounded: at most kMaxFieldErrors entries are kept (a body with 500 000 bad array elements
// must not make a 43 MB answer); past that the last entry says how many more there were.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace todo {

inline constexpr std::size_t kMaxFieldErrors = 20;

class FieldErrors {
 public:
  void add(std::string field, std::string message) {
    ++count_;
    if (list_.size() < kMaxFieldErrors) list_.push_back({std::move(field), std::move(message)});
  }
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  bool has(std::string_view field) const {
    return std::any_of(list_.begin(), list_.end(), [&](const auto& e) { return e.field == field; });
  }
  // The Error of kind `kind`: detail "field: message; ..." and the `errors` list.
  Error to_error(ErrorKind kind) && {
    if (count_ > list_.size())
      list_.push_back({"...", "and " + std::to_string(count_ - list_.size()) + " more errors"});
    std::string detail;
    for (const FieldError& e : list_)
      detail += (detail.empty() ? "" : "; ") + e.field + ": " + e.message;
    Error error = Error::make(kind, std::move(detail));
    error.errors = std::move(list_);
    return error;
  }

 private:
  std::vector<FieldError> list_;
  std::size_t count_ = 0;
};

}  // namespace todo
