// An IRI JobSpec as a batch script: each field's directive or line, the choices batch_script.h
// documents, the refusals naming their field, and that both readers of #SBATCH lines (the local
// scheduler's option parser and the directive reader the account check uses) take every
// directive the script has, values with spaces and quotes included.
#include "core/compute/batch_script.h"

#include <gtest/gtest.h>

#include "backends/scheduler/local/sbatch_options.h"
#include "backends/scheduler/sbatch_directives.h"

namespace sfapid {
namespace {

BatchJobSpec Hello() {
  BatchJobSpec spec;
  spec.executable = "/bin/echo";
  spec.arguments = {"hello", "big world"};
  return spec;
}

std::string Render(const BatchJobSpec& spec, ContainerRuntime runtime = ContainerRuntime::kNone) {
  auto script = RenderBatchScript(spec, runtime);
  EXPECT_TRUE(script) << script.status().field() << ": " << script.status().message();
  return script ? *script : "";
}

// The field a refusal names, with its message after a colon.
std::string Refusal(const BatchJobSpec& spec, ContainerRuntime runtime = ContainerRuntime::kNone) {
  auto script = RenderBatchScript(spec, runtime);
  EXPECT_FALSE(script) << *script;
  if (script) return "";
  EXPECT_EQ(script.status().code(), Code::kInvalidArgument);
  return script.status().field() + ": " + script.status().message();
}

TEST(BatchScript, AMinimalSpecRunsItsExecutableOnce) {
  EXPECT_EQ(Render(Hello()),
            "#!/bin/bash\n"
            "#SBATCH --export=ALL\n"
            "export SLURM_EXPORT_ENV=ALL\n"
            "/bin/echo hello 'big world'\n");
}

TEST(BatchScript, EveryFieldHasItsDirectiveOrLine) {
  BatchJobSpec spec = Hello();
  spec.name = "my job";
  spec.directory = "/pscratch/alice/run";
  spec.stdin_path = "in.txt";
  spec.stdout_path = "out-%j.txt";
  spec.stderr_path = "err-%j.txt";
  spec.inherit_environment = false;
  spec.environment = {{"OMP_NUM_THREADS", "4"}, {"GREETING", "it's $HOME"}};
  spec.resources = BatchJobSpec::Resources{.node_count = 2,
                                           .process_count = 8,
                                           .processes_per_node = 4,
                                           .cpu_cores_per_process = 2,
                                           .gpu_cores_per_process = 1,
                                           .memory = 3 * 1024 * 1024 * 1024LL + 1};
  spec.pre_launch = "module load python\necho start";
  spec.post_launch = "echo done\n";
  spec.launcher = "srun";
  spec.attributes.duration = 90 * 60 + 1;
  spec.attributes.queue_name = "debug";
  spec.attributes.account = "m1234";
  spec.attributes.reservation_id = "resv1";
  spec.attributes.custom_attributes = {{"constraint", "gpu&hbm80g"}, {"slurm.qos", "premium"}};
  EXPECT_EQ(Render(spec),
            "#!/bin/bash\n"
            "#SBATCH --job-name=\"my job\"\n"
            "#SBATCH --chdir=/pscratch/alice/run\n"
            "#SBATCH --input=in.txt\n"
            "#SBATCH --output=out-%j.txt\n"
            "#SBATCH --error=err-%j.txt\n"
            "#SBATCH --export=NONE\n"
            "#SBATCH --nodes=2\n"
            "#SBATCH --ntasks=8\n"
            "#SBATCH --ntasks-per-node=4\n"
            "#SBATCH --cpus-per-task=2\n"
            "#SBATCH --gpus-per-task=1\n"
            "#SBATCH --exclusive\n"
            "#SBATCH --mem=3073M\n"
            "#SBATCH --time=0-01:30:01\n"
            "#SBATCH --partition=debug\n"
            "#SBATCH --account=m1234\n"
            "#SBATCH --reservation=resv1\n"
            "#SBATCH --constraint=gpu&hbm80g\n"
            "#SBATCH --qos=premium\n"
            "export SLURM_EXPORT_ENV=ALL\n"
            "export GREETING='it'\\''s $HOME'\n"
            "export OMP_NUM_THREADS='4'\n"
            "module load python\n"
            "echo start\n"
            "srun /bin/echo hello 'big world'\n"
            "sfapid_exit=$?\n"
            "echo done\n"
            "exit \"$sfapid_exit\"\n");
}

TEST(BatchScript, ExclusiveOnlyWhenResourcesAreGivenAndAskForIt) {
  BatchJobSpec spec = Hello();
  EXPECT_EQ(Render(spec).find("--exclusive"), std::string::npos);
  spec.resources = BatchJobSpec::Resources{};  // exclusive_node_use defaults to true
  EXPECT_NE(Render(spec).find("#SBATCH --exclusive\n"), std::string::npos);
  spec.resources->exclusive_node_use = false;
  EXPECT_EQ(Render(spec).find("--exclusive"), std::string::npos);
}

TEST(BatchScript, MemoryIsRoundedUpToWholeMebibytes) {
  BatchJobSpec spec = Hello();
  spec.resources = BatchJobSpec::Resources{.exclusive_node_use = false, .memory = 1};
  EXPECT_NE(Render(spec).find("#SBATCH --mem=1M\n"), std::string::npos);
  spec.resources->memory = 1024 * 1024;
  EXPECT_NE(Render(spec).find("#SBATCH --mem=1M\n"), std::string::npos);
  spec.resources->memory = 1024 * 1024 + 1;
  EXPECT_NE(Render(spec).find("#SBATCH --mem=2M\n"), std::string::npos);
  spec.resources->memory = 0;
  EXPECT_EQ(Refusal(spec), "resources.memory: must be at least 1");
}

TEST(BatchScript, NoNewlineOrControlCharacterReachesADirective) {
  for (const char* bad : {"x\n#SBATCH --account=other", "x\r", "x\ty", "x\x7f"}) {
    BatchJobSpec spec = Hello();
    spec.name = bad;
    EXPECT_EQ(Refusal(spec).substr(0, 6), "name: ") << bad;
  }
  BatchJobSpec spec = Hello();
  spec.name = std::string("a\0b", 3);
  EXPECT_EQ(Refusal(spec),
            "name: must be one line without control characters (it is written on an #SBATCH "
            "line)");
  spec = Hello();
  spec.stdout_path = "out\n";
  EXPECT_EQ(Refusal(spec).substr(0, 13), "stdout_path: ");
  spec = Hello();
  spec.attributes.account = "";
  EXPECT_EQ(Refusal(spec), "attributes.account: must not be empty");
  spec = Hello();
  spec.attributes.custom_attributes = {{"comment", "a\nb"}};
  EXPECT_EQ(Refusal(spec).substr(0, 37), "attributes.custom_attributes.comment:");
}

TEST(BatchScript, DirectiveValuesAreQuotedSoBothReadersReadThemBack) {
  BatchJobSpec spec = Hello();
  spec.name = "it's # not a comment";
  spec.directory = "/tmp/say \"hi\"";
  spec.attributes.queue_name = "regular";
  spec.attributes.account = "m1 x";
  spec.attributes.custom_attributes = {{"comment", "a 'quoted' #word"}, {"nice", "5"}};
  spec.resources = BatchJobSpec::Resources{.node_count = 1,
                                           .process_count = 2,
                                           .processes_per_node = 2,
                                           .cpu_cores_per_process = 1,
                                           .gpu_cores_per_process = 1,
                                           .memory = 1024 * 1024};
  spec.stdin_path = "/dev/null";
  spec.attributes.duration = 600;
  const std::string script = Render(spec);
  // The local scheduler accepts every directive and reads the values unchanged.
  auto o = local::ParseSbatchScript(script, 1'800'000'000);
  ASSERT_TRUE(o) << o.status().message() << "\n" << script;
  EXPECT_EQ(o->name, "it's # not a comment");
  EXPECT_EQ(o->chdir, "/tmp/say \"hi\"");
  EXPECT_EQ(o->account, "m1 x");
  EXPECT_EQ(o->comment, "a 'quoted' #word");
  EXPECT_EQ(o->input, "/dev/null");
  EXPECT_EQ(o->partition, "regular");
  EXPECT_EQ(o->time_limit, 600);
  EXPECT_EQ(o->nodes, 1);
  EXPECT_EQ(o->ntasks, 2);
  EXPECT_EQ(o->ntasks_per_node, 2);
  EXPECT_EQ(o->mem_mb, 1);
  EXPECT_TRUE(o->exclusive);
  EXPECT_EQ(o->export_env, "ALL");
  // The account check before any scheduler reads the same account.
  EXPECT_EQ(DirectiveAccount(script), "m1 x");

  spec = Hello();
  spec.name = "back\\slash";
  EXPECT_EQ(Refusal(spec), "name: must not contain a backslash");
  spec.name = "both ' and \"";
  EXPECT_EQ(Refusal(spec), "name: must not contain both kinds of quote");
}

TEST(BatchScript, EveryAllowedCustomAttributeIsADirectiveTheLocalSchedulerTakes) {
  BatchJobSpec spec = Hello();
  spec.attributes.custom_attributes = {{"constraint", "cpu"},
                                       {"qos", "debug"},
                                       {"gres", "gpu:1"},
                                       {"licenses", "scratch"},
                                       {"comment", "c"},
                                       {"begin", "now+1hour"},
                                       {"dependency", "afterok:12"},
                                       {"mail-type", "END"},
                                       {"slurm.mail-user", "a@b.org"},
                                       {"nice", "10"}};
  const std::string script = Render(spec);
  for (const char* line : {"--constraint=cpu", "--qos=debug", "--gres=gpu:1", "--licenses=scratch",
                           "--comment=c", "--begin=now+1hour", "--dependency=afterok:12",
                           "--mail-type=END", "--mail-user=a@b.org", "--nice=10"})
    EXPECT_NE(script.find(std::string("#SBATCH ") + line + "\n"), std::string::npos) << line;
  auto o = local::ParseSbatchScript(script, 1'800'000'000);
  ASSERT_TRUE(o) << o.status().message();
  EXPECT_EQ(o->qos, "debug");
  EXPECT_EQ(o->begin, 1'800'000'000 + 3600);
  ASSERT_EQ(o->dependencies.size(), 1u);
}

TEST(BatchScript, OtherCustomAttributesAreRefusedByName) {
  for (const char* key : {"account", "slurm.partition", "uid", "slurm.", "wrap", "Constraint"}) {
    BatchJobSpec spec = Hello();
    spec.attributes.custom_attributes = {{key, "x"}};
    const std::string refusal = Refusal(spec);
    EXPECT_EQ(refusal.rfind(std::string("attributes.custom_attributes.") + key +
                                ": is not a scheduler option this facility passes on (allowed: "
                                "constraint, qos, ",
                            0),
              0u)
        << refusal;
  }
}

TEST(BatchScript, EnvironmentNamesMustBeShellNamesAndValuesAnyText) {
  BatchJobSpec spec = Hello();
  spec.environment = {{"MULTI", "line one\nline two"}};
  EXPECT_NE(Render(spec).find("export MULTI='line one\nline two'\n"), std::string::npos);
  spec.environment = {{"BAD-NAME", "x"}};
  EXPECT_EQ(Refusal(spec).substr(0, 22), "environment.BAD-NAME: ");
  spec.environment = {{"X", std::string("a\0b", 3)}};
  EXPECT_EQ(Refusal(spec), "environment.X: must not contain a NUL or a carriage return character");
  spec.environment = {{"X", "dos\r\n"}};
  EXPECT_EQ(Refusal(spec).substr(0, 15), "environment.X: ");
}

TEST(BatchScript, NothingAUserWritesIsReadAsADirective) {
  BatchJobSpec spec = Hello();
  spec.pre_launch = "#SBATCH --account=other\n#SBATCH --partition=secret";
  const std::string script = Render(spec);
  EXPECT_EQ(DirectiveAccount(script), std::nullopt);
  auto o = local::ParseSbatchScript(script, 0);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->account, std::nullopt);
  EXPECT_EQ(o->partition, std::nullopt);
}

TEST(BatchScript, CountsAndDurationMustBePositive) {
  BatchJobSpec spec = Hello();
  spec.resources = BatchJobSpec::Resources{.node_count = 0};
  EXPECT_EQ(Refusal(spec), "resources.node_count: must be at least 1");
  spec.resources = BatchJobSpec::Resources{.cpu_cores_per_process = -2};
  EXPECT_EQ(Refusal(spec), "resources.cpu_cores_per_process: must be at least 1");
  spec.resources.reset();
  spec.attributes.duration = 0;
  EXPECT_EQ(Refusal(spec), "attributes.duration: must be at least 1 (seconds)");
}

TEST(BatchScript, TheLaunchLineIsChecked) {
  BatchJobSpec spec;
  EXPECT_EQ(Refusal(spec),
            "executable: is required: the job names no executable and no container to run");
  spec = Hello();
  spec.launcher = "sh -c";
  EXPECT_EQ(Refusal(spec), "launcher: must be srun, mpirun or mpiexec");
  spec = Hello();
  spec.arguments = {"ok", "bad\r"};
  EXPECT_EQ(Refusal(spec).substr(0, 13), "arguments.1: ");
  spec = Hello();
  spec.post_launch = std::string("\0", 1);
  EXPECT_EQ(Refusal(spec).substr(0, 13), "post_launch: ");
}

}  // namespace
}  // namespace sfapid
