// The bound on first-factor checks at once: per address and in all, places given back.
#include "core/web/sign_in_gate.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(SignInGate, BoundsEachAddressAndTheTotal) {
  SignInGate gate(2, 3);
  auto a1 = gate.Enter("10.0.0.1");
  auto a2 = gate.Enter("10.0.0.1");
  EXPECT_TRUE(a1 && a2);
  EXPECT_FALSE(gate.Enter("10.0.0.1"));  // a third from one address
  auto b1 = gate.Enter("10.0.0.2");
  EXPECT_TRUE(b1);
  EXPECT_FALSE(gate.Enter("10.0.0.3"));  // four in all
  { auto moved = std::move(a1); }        // given back when it goes
  EXPECT_TRUE(gate.Enter("10.0.0.3"));
  EXPECT_TRUE(gate.Enter("10.0.0.1"));
}

}  // namespace
}  // namespace sfapid
