// For a write whose failure the caller can neither undo nor report to anyone but the operator
// (a task's final state, a transfer's progress, a rollback): the failure goes to the log instead of
// vanishing. Status and Result are [[nodiscard]]; this is the one way to pass one by on purpose.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "util/status.h"

namespace sfapid {

inline void LogIfFailed(const Status& s, std::string_view what) {
  if (!s.ok()) spdlog::error("{} failed: {}", what, s.message());
}

template <typename T>
void LogIfFailed(const Result<T>& r, std::string_view what) {
  if (!r.ok()) spdlog::error("{} failed: {}", what, r.status().message());
}

}  // namespace sfapid
