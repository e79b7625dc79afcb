// Status and Result<T>: errors as values across layers (as in LevelDB), so no exception crosses a
// layer boundary. A Status carries a code that the API layer maps to an HTTP answer and a message
// written for the person who reads it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sfapid {

enum class Code {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the request is well formed but the thing's state forbids it
  kPermissionDenied,
  kUnauthenticated,
  kUnavailable,
  // An outside command was stopped at its time limit: what it was doing may still happen (a
  // hung slurmctld makes the job it was sent when it wakes).
  kDeadlineExceeded,
  kInternal
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  // An InvalidArgument about one field of the caller's input, named as the caller wrote it (e.g.
  // "callbackUrl"): the service that validates says which field is wrong, so an API can point at
  // it in its own shape (the SFAPI's 422) without validating again.
  static Status InvalidField(std::string field, std::string m) {
    Status s(Code::kInvalidArgument, std::move(m));
    s.field_ = std::move(field);
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field an InvalidField names; empty otherwise.
  const std::string& field() const { return field_; }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design, like std::expected
  Result(Status error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sfapid
