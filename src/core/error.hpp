#pragma once
// The one error taxonomy of the service. Domain code returns Result<T> for expected
// failures (validation, not found, conflict, ...); http/problem.cpp maps each kind to an
// HTTP status and an RFC 9457 problem document in one place.
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace todo {

enum class ErrorKind {
  bad_request,             // 400: malformed syntax (JSON, query parameters, cursor)
  unauthorized,            // 401: no or bad credentials
  forbidden,               // 403: authenticated but not allowed
  not_found,               // 404
  method_not_allowed,      // 405
  conflict,                // 409: e.g. e-mail already taken, idempotency key reused
  precondition_failed,     // 412: If-Match version mismatch
  payload_too_large,       // 413
  uri_too_long,            // 414: request target over the limit (RFC 9112 §3)
  unsupported_media_type,  // 415
  expectation_failed,      // 417: an Expect the server cannot meet (RFC 9110 §10.1.1)
  validation,              // 422: well-formed but invalid fields
  too_many_requests,       // 429
  header_too_large,        // 431: header section over the limit (RFC 6585 §5)
  unavailable,             // 503: retry later (overload, shutting down, DB down)
  not_implemented,         // 501: a method or transfer coding no resource supports
  internal,                // 500: a bug; never for bad input
};

struct FieldError {
  std::string field;    // JSON pointer-ish name: "title", "tags[3]", "limit"
  std::string message;  // human readable: "must be at most 500 characters"
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string detail;
  std::vector<FieldError> errors;
  int retry_after_seconds = 0;  // for too_many_requests / unavailable
  // A finer problem type within `kind`, for a condition clients or operators act on
  // differently (e.g. "storage-full" within unavailable): the problem document's type is
  // /problems/<subtype> and its title `title`. Empty: the kind's own.
  std::string subtype;
  std::string title;
  // Extra string members of the problem document (RFC 9457 §3.2), e.g. {"required_scope",
  // "tasks:write"}.
  std::vector<std::pair<std::string, std::string>> members;
  // The WWW-Authenticate value to send (RFC 9110 §11.6.1, RFC 6750 §3), e.g.
  // `Bearer error="invalid_token"`; empty: plain `Bearer` on a 401, none otherwise.
  std::string challenge;

  static Error make(ErrorKind kind, std::string detail) { return Error{kind, std::move(detail)}; }
  static Error field(ErrorKind kind, std::string field, std::string message) {
    Error e{kind, field + ": " + message};
    e.errors.push_back({std::move(field), std::move(message)});
    return e;
  }
};

// A value or an Error. Small on purpose (std::expected is C++23).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Error& error() { return std::get<1>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;

// What a request of a deleted account gets, whichever way it notices (a revoked token, or a
// write racing the deletion that finds the account row gone — a foreign key's missing
// reference, which storage may meet only at COMMIT): 401, never a 500.
inline Error account_deleted_error() {
  return Error::make(ErrorKind::unauthorized, "the account no longer exists");
}

}  // namespace todo
