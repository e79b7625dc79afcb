// The documents submit_job and cancel_job tasks store, which GET /tasks returns as they are: their
// exact bytes are SFAPI v1.2's (lower-case status, jobid null when there is none).
#include "core/compute/job_task_result.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

namespace json = boost::json;

TEST(JobTaskResult, SubmitIsTheJobIdOrWhyNot) {
  EXPECT_EQ(json::serialize(SubmitTaskResult(std::string("42"))),
            R"({"status":"ok","jobid":"42","error":null})");
  EXPECT_EQ(json::serialize(SubmitTaskResult(Status::InvalidArgument("sbatch: error: x"))),
            R"({"status":"error","jobid":null,"error":"sbatch: error: x"})");
}

TEST(JobTaskResult, CancelAlwaysNamesTheJob) {
  EXPECT_EQ(json::serialize(CancelTaskResult("7", Status::Ok())),
            R"({"status":"ok","jobid":"7","error":null})");
  EXPECT_EQ(json::serialize(CancelTaskResult("7", Status::NotFound("scancel: no"))),
            R"({"status":"error","jobid":"7","error":"scancel: no"})");
}

}  // namespace
}  // namespace sfapid
