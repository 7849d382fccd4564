// Status and Result<T>: how a function says whether it could do its job.
//
// A Status is either OK or an error with a code and a message. It reports
// problems of the *process* (a file could not be read, a schema failed to
// load, a library call failed). Problems found *in a document* are Findings
// (finding.h) and never travel as a Status.
//
// Result<T> holds either a value or a non-OK Status. Both are cheap to move
// and carry no exceptions. Thread-safety: plain values; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kanta {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // a caller or user gave something unusable
  kNotFound,          // a file, schema or key that should exist does not
  kFailedPrecondition,// configuration is inconsistent
  kResourceExhausted, // a limit was hit
  kDataLoss,          // stored data is damaged
  kUnavailable,       // an external resource could not be reached
  kInternal,          // a bug or an unexpected library failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: schema file /x/CDA.xsd does not exist", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {     // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kanta

#define KANTA_CONCAT_INNER_(a, b) a##b
#define KANTA_CONCAT_(a, b) KANTA_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::kanta::Status kanta_status_ = (expr);    \
    if (!kanta_status_.ok()) return kanta_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value, or returns
// F()'s Status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto KANTA_CONCAT_(kanta_result_, __LINE__) = (expr);               \
  if (!KANTA_CONCAT_(kanta_result_, __LINE__).ok())                   \
    return KANTA_CONCAT_(kanta_result_, __LINE__).status();           \
  lhs = std::move(KANTA_CONCAT_(kanta_result_, __LINE__)).value()
