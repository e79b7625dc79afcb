// Waits for a task to end, as a client polling GET /tasks/{id} would.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "core/tasks/task_engine.h"

namespace sfapid::testing {

// The task once it is no longer "new" (or as it is after `limit`, which the test then fails on).
inline TaskRecord WaitForTask(TaskEngine& tasks, const std::string& id, const std::string& owner,
                              std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto task = tasks.Get(id, owner);
    EXPECT_TRUE(task) << task.status().message();
    if (!task) return {};
    if (task->status != "new" || std::chrono::steady_clock::now() > deadline) {
      EXPECT_NE(task->status, "new") << "task " << id << " did not end in time";
      return *task;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// The task's stored result as a JSON object ({} when there is none).
inline boost::json::object ResultOf(const TaskRecord& task) {
  if (!task.result) return {};
  boost::json::value v = boost::json::parse(*task.result);
  return v.is_object() ? v.as_object() : boost::json::object{};
}

}  // namespace sfapid::testing
