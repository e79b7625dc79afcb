#include "backends/scheduler/local/sbatch_options.h"

#include <gtest/gtest.h>

#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {
namespace {

constexpr int64_t kNow = 1'800'000'000;

SbatchOptions Parse(const std::string& script) {
  auto r = ParseSbatchScript(script, kNow);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SbatchOptions{};
}

std::string Error(const std::string& script) {
  auto r = ParseSbatchScript(script, kNow);
  EXPECT_FALSE(r.ok()) << script;
  return r.ok() ? "" : r.status().message();
}

TEST(SbatchOptions, ClustersOfShortOptionsAsGetoptReadsThem) {
  auto o = Parse("#!/bin/bash\n#SBATCH -HA m1 -HJname\necho hi\n");
  EXPECT_TRUE(o.hold);
  EXPECT_EQ(o.account, "m1");
  EXPECT_EQ(o.name, "name");
}

TEST(SbatchOptions, ReadsLongAndShortForms) {
  auto o = Parse(
      "#!/bin/bash\n"
      "#SBATCH --job-name=alpha -t 10\n"
      "#SBATCH -o out-%j.txt --error err.txt\n"
      "#SBATCH -D /tmp -A proj -q debug -p regular -C cpu\n"
      "#SBATCH -N 2 --ntasks=4 -c2 --mem=2G\n"
      "#SBATCH --hold\n"
      "echo hi\n");
  EXPECT_EQ(o.name, "alpha");
  EXPECT_EQ(o.time_limit, 600);
  EXPECT_EQ(o.output, "out-%j.txt");
  EXPECT_EQ(o.error, "err.txt");
  EXPECT_EQ(o.chdir, "/tmp");
  EXPECT_EQ(o.account, "proj");
  EXPECT_EQ(o.qos, "debug");
  EXPECT_EQ(o.partition, "regular");
  EXPECT_EQ(o.constraint, "cpu");
  EXPECT_EQ(o.nodes, 2);
  EXPECT_EQ(o.ntasks, 4);
  EXPECT_EQ(o.cpus_per_task, 2);
  EXPECT_EQ(o.mem_mb, 2048);
  EXPECT_TRUE(o.hold);
}

TEST(SbatchOptions, StopsAtTheFirstCommandAndSkipsComments) {
  auto o = Parse(
      "#!/bin/sh\n"
      "\n"
      "# a comment\n"
      "  # an indented comment\n"
      "#SBATCH -J first\n"
      "echo go\n"
      "#SBATCH -J ignored\n");
  EXPECT_EQ(o.name, "first");
}

TEST(SbatchOptions, ArraysDependenciesAndBegin) {
  auto o = Parse(
      "#!/bin/bash\n#SBATCH --array=0-6:2%2\n#SBATCH -d afterok:12:13,afterany:14_2\n"
      "#SBATCH --begin=now+1hour\n");
  ASSERT_TRUE(o.array);
  EXPECT_EQ(o.array->indices, (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(o.array->max_running, 2);
  ASSERT_EQ(o.dependencies.size(), 3u);
  EXPECT_EQ(o.dependencies[0].type, "afterok");
  EXPECT_EQ(o.dependencies[1].jobid, "13");
  EXPECT_EQ(o.dependencies[2].type, "afterany");
  EXPECT_EQ(o.dependencies[2].jobid, "14_2");
  EXPECT_EQ(o.begin, kNow + 3600);
  auto list = Parse("#!/bin/bash\n#SBATCH -a 1,3,5-6\n");
  EXPECT_EQ(list.array->indices, (std::vector<int64_t>{1, 3, 5, 6}));
}

TEST(SbatchOptions, KnownOptionsItCannotHonourAreRecorded) {
  auto o = Parse("#!/bin/bash\n#SBATCH --mail-type=END --exclusive -G 1\n");
  EXPECT_EQ(o.ignored, (std::vector<std::string>{"--mail-type=END", "-G"}));
  // Everything an IRI job's script may carry that means nothing on one machine.
  o = Parse(
      "#!/bin/bash\n#SBATCH --gpus-per-task=1 --gres=gpu:1 --licenses=scratch -L x\n"
      "#SBATCH --mail-user=a@b.org --nice=5 --nice\n");
  EXPECT_EQ(o.ignored,
            (std::vector<std::string>{"--gpus-per-task=1", "--gres=gpu:1", "--licenses=scratch",
                                      "-L", "--mail-user=a@b.org", "--nice=5", "--nice"}));
}

TEST(SbatchOptions, InputIsReadInBothForms) {
  EXPECT_EQ(Parse("#!/bin/bash\n#SBATCH --input=in-%j.txt\n").input, "in-%j.txt");
  EXPECT_EQ(Parse("#!/bin/bash\n#SBATCH -i data.txt\n").input, "data.txt");
  EXPECT_EQ(Parse("#!/bin/bash\n").input, std::nullopt);
}

TEST(SbatchOptions, TasksPerNodeAndWhichCountsWereGiven) {
  auto o = Parse("#!/bin/bash\n#SBATCH --ntasks-per-node=4 -N 2\n");
  EXPECT_EQ(o.ntasks_per_node, 4);
  EXPECT_TRUE(o.nodes_set);
  EXPECT_FALSE(o.ntasks_set);
  o = Parse("#!/bin/bash\n#SBATCH -n 3\n");
  EXPECT_EQ(o.ntasks_per_node, 0);
  EXPECT_FALSE(o.nodes_set);
  EXPECT_TRUE(o.ntasks_set);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --ntasks-per-node=0\n").find("invalid number of"),
            std::string::npos);
}

TEST(SbatchOptions, ExclusiveWithOrWithoutItsOptionalValue) {
  EXPECT_FALSE(Parse("#!/bin/bash\n").exclusive);
  EXPECT_TRUE(Parse("#!/bin/bash\n#SBATCH --exclusive\n").exclusive);
  auto o = Parse("#!/bin/bash\n#SBATCH --exclusive=user -J x\n");
  EXPECT_TRUE(o.exclusive);
  EXPECT_EQ(o.name, "x");
  // As getopt's optional arguments: a separate word is not its value but ends the options.
  o = Parse("#!/bin/bash\n#SBATCH --exclusive user -J x\n");
  EXPECT_TRUE(o.exclusive);
  EXPECT_EQ(o.name, std::nullopt);
}

TEST(SbatchOptions, ExportIsKeptAsWritten) {
  EXPECT_EQ(Parse("#!/bin/bash\n").export_env, std::nullopt);
  EXPECT_EQ(Parse("#!/bin/bash\n#SBATCH --export=NONE\n").export_env, "NONE");
  EXPECT_EQ(Parse("#!/bin/bash\n#SBATCH --export ALL,A=1\n").export_env, "ALL,A=1");
  EXPECT_EQ(Error("#!/bin/bash\n#SBATCH --export=\n"),
            "sbatch: error: Invalid --export specification");
}

TEST(SbatchOptions, RefusesWhatSbatchRefuses) {
  EXPECT_NE(Error("echo hi\n").find("This does not look like a batch script"), std::string::npos);
  EXPECT_EQ(Error(""), "sbatch: error: Batch script is empty!");
  EXPECT_NE(Error("#!/bin/bash\r\necho\r\n").find("DOS line breaks"), std::string::npos);
  EXPECT_EQ(Error("#!/bin/bash\n#SBATCH --time=abc\n"),
            "sbatch: error: Invalid --time specification");
  EXPECT_EQ(Error("#!/bin/bash\n#SBATCH --bogus\n").substr(0, 39),
            "sbatch: unrecognized option '--bogus'\nT");
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH -z\n").find("invalid option -- 'z'"), std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --mem=lots\n").find("Invalid --mem"), std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --array=5-1\n").find("Invalid job array"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --array=0-5000\n").find("Invalid job array"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH -d singleton\n").find("Job dependency problem"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH -d afterok:x\n").find("Job dependency problem"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --begin=whenever\n").find("Invalid time specification"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH -N 0\n").find("invalid number of nodes"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --job-name\n").find("requires an argument"),
            std::string::npos);
  EXPECT_NE(Error("#!/bin/bash\n#SBATCH --hold=yes\n").find("doesn't allow an argument"),
            std::string::npos);
}

}  // namespace
}  // namespace sfapid::local
