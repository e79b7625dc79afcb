// The document a transfer task stores when it ends: only the keys known at that end, in the order
// GET /tasks has always shown them.
#include "core/transfers/transfer_task_result.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

TEST(TransferTaskResult, OnlyTheKnownKeysInOrder) {
  EXPECT_EQ(boost::json::serialize(TransferTaskResult({.status = "error", .error = "no rsync"})),
            R"({"status":"error","error":"no rsync"})");
  EXPECT_EQ(boost::json::serialize(
                TransferTaskResult({.status = "error", .transfer_id = "t1", .error = "denied"})),
            R"({"status":"error","transfer_id":"t1","error":"denied"})");
  EXPECT_EQ(boost::json::serialize(
                TransferTaskResult({.status = "ok", .transfer_id = "t1", .bytes = 12})),
            R"({"status":"ok","transfer_id":"t1","bytes":12})");
}

}  // namespace
}  // namespace sfapid
