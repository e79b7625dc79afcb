// The document a command task stores, which GET /tasks returns as it is: SFAPI v1.2's keys in
// their order, exit_code null until the command has ended.
#include "core/commands/command_task_result.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

TEST(CommandTaskResult, RunningEndedAndNeverStarted) {
  EXPECT_EQ(boost::json::serialize(CommandTaskResult(true, "hi\n", "", std::nullopt)),
            R"({"status":"ok","output":"hi\n","error":"","exit_code":null})");
  EXPECT_EQ(boost::json::serialize(CommandTaskResult(false, "", "boom\n", 2)),
            R"({"status":"error","output":"","error":"boom\n","exit_code":2})");
}

}  // namespace
}  // namespace sfapid
