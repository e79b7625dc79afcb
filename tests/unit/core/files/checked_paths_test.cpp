// What a path must be before any program sees it: absolute (so never an option), without NUL;
// and the {"path", "roots"} records the worker checks against the system's roots.
#include "core/files/checked_paths.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

namespace json = boost::json;

TEST(CheckedPathsTest, OnlyAbsolutePathsWithoutNulPass) {
  EXPECT_FALSE(PathProblem("/pscratch/a b/-rf"));
  EXPECT_EQ(PathProblem("-rf"), "'-rf': the path must be absolute");
  EXPECT_EQ(PathProblem("a/b"), "'a/b': the path must be absolute");
  EXPECT_EQ(PathProblem(""), "'': the path must be absolute");
  EXPECT_EQ(PathProblem(std::string("/a\0b", 4)), "the path contains a NUL byte");
}

TEST(CheckedPathsTest, EachPathCarriesTheRoots) {
  const json::array roots{"/global/homes", "/pscratch"};
  EXPECT_EQ(CheckedPaths({"/pscratch/a", "/global/homes/b"}, roots),
            (json::array{json::object{{"path", "/pscratch/a"}, {"roots", roots}},
                         json::object{{"path", "/global/homes/b"}, {"roots", roots}}}));
}

}  // namespace
}  // namespace sfapid
