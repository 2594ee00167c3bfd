// Expected failures travel as values: a Status carries a code that maps one-to-one onto a
// Kubernetes metav1.Status reason (and HTTP code), plus a human message. Result<T> is a value
// or a Status. Both are cheap to move and safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cluster {

enum class Code {
  kOk = 0,
  kBadRequest,          // 400 BadRequest
  kUnauthorized,        // 401 Unauthorized
  kForbidden,           // 403 Forbidden
  kNotFound,            // 404 NotFound
  kMethodNotAllowed,    // 405 MethodNotAllowed
  kNotAcceptable,       // 406 NotAcceptable
  kAlreadyExists,       // 409 AlreadyExists
  kConflict,            // 409 Conflict
  kGone,                // 410 Gone (e.g. a compacted revision)
  kTooLarge,            // 413 RequestEntityTooLarge
  kUnsupportedMedia,    // 415 UnsupportedMediaType
  kInvalid,             // 422 Invalid
  kTooManyRequests,     // 429 TooManyRequests
  kInternal,            // 500 InternalError
  kUnavailable,         // 503 ServiceUnavailable
  kTimeout,             // 504 Timeout
};

// HTTP status code for a Code.
int HttpCode(Code code);
// Kubernetes StatusReason string ("NotFound", ...); empty for kOk.
const char* ReasonString(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: message" for logs and CLI lines.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status BadRequest(std::string m) { return Status(Code::kBadRequest, std::move(m)); }
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
inline Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
inline Status Invalid(std::string m) { return Status(Code::kInvalid, std::move(m)); }
inline Status Gone(std::string m) { return Status(Code::kGone, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }

// A value or an error Status (never an ok Status).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(runtime/explicit)
  Result(Status status) : v_(std::move(status)) {}    // NOLINT(runtime/explicit)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
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

}  // namespace cluster

// Early-return helpers: propagate a failed Status from the enclosing function.
#define CLUSTER_CONCAT_INNER(a, b) a##b
#define CLUSTER_CONCAT(a, b) CLUSTER_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::cluster::Status _st = (expr);                   \
    if (!_st.ok()) return _st;                        \
  } while (0)
#define ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto CLUSTER_CONCAT(_res_, __LINE__) = (expr);                      \
  if (!CLUSTER_CONCAT(_res_, __LINE__).ok())                          \
    return CLUSTER_CONCAT(_res_, __LINE__).status();                  \
  lhs = std::move(CLUSTER_CONCAT(_res_, __LINE__)).value()
