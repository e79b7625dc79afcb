// The #SBATCH reader shared by the local scheduler and the account check.
#include "backends/scheduler/sbatch_directives.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

std::optional<std::string> Account(const std::string& directives) {
  return DirectiveAccount("#!/bin/bash\n" + directives + "echo hi\n#SBATCH -A after_command\n");
}

TEST(SbatchDirectives, AccountInEveryFormSbatchTakes) {
  EXPECT_EQ(Account(""), std::nullopt);
  EXPECT_EQ(Account("#SBATCH -A m1\n"), "m1");
  EXPECT_EQ(Account("#SBATCH -Am1\n"), "m1");
  EXPECT_EQ(Account("#SBATCH --account=m1\n"), "m1");
  EXPECT_EQ(Account("#SBATCH --account m1\n"), "m1");
  EXPECT_EQ(Account("#SBATCH --account='m 1' # why\n"), "m 1");
  // Flags clustered in front of -A, and the last -A wins.
  EXPECT_EQ(Account("#SBATCH -HA m1\n"), "m1");
  EXPECT_EQ(Account("#SBATCH -A m1\n#SBATCH -A m2\n"), "m2");
  // A value that looks like -A belongs to its option.
  EXPECT_EQ(Account("#SBATCH -J -Anot\n"), std::nullopt);
  EXPECT_EQ(Account("#SBATCH -JA\n"), std::nullopt);
  // Directives after the first command are comments, as for sbatch.
  EXPECT_EQ(Account("true\n#SBATCH -A m1\n"), std::nullopt);
}

TEST(SbatchDirectives, OtherOptionsAreNotJudged) {
  // Options a scheduler might refuse or not know do not hide the account.
  EXPECT_EQ(Account("#SBATCH --dependency=singleton --no-such-option\n#SBATCH -A spent\n"),
            "spent");
  EXPECT_EQ(Account("#SBATCH --time=abc -q regular -A spent\n"), "spent");
}

TEST(SbatchDirectives, AnyLongOptionsValue) {
  auto reservation = [](const std::string& directives) {
    return DirectiveValue("#!/bin/bash\n" + directives + "echo hi\n", '\0', "reservation");
  };
  EXPECT_EQ(reservation("#SBATCH --reservation=night\n"), "night");
  EXPECT_EQ(reservation("#SBATCH -A m1 --reservation night -t 5\n"), "night");
  EXPECT_EQ(reservation("#SBATCH --reservation-other=x\n"), std::nullopt);
  EXPECT_EQ(reservation("#SBATCH -A m1\n"), std::nullopt);
}

TEST(SbatchDirectives, WordsSplitAsAShellWould) {
  EXPECT_EQ(SplitDirectiveWords(" -J 'a b' --comment=\"x y\" # note"),
            (std::vector<std::string>{"-J", "a b", "--comment=x y"}));
}

}  // namespace
}  // namespace sfapid
