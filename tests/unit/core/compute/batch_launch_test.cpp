// The launch line of an IRI job's script: with or without a launcher, and a container through
// each runtime a system may have (or none), with the refusals naming their field.
#include "core/compute/batch_launch.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

BatchJobSpec InContainer() {
  BatchJobSpec spec;
  spec.executable = "python3";
  spec.arguments = {"train.py", "--epochs=3"};
  spec.container = BatchJobSpec::Container{
      "docker://nvcr.io/nvidia/pytorch:24.01-py3",
      {{"/pscratch/alice/data", "/data", true}, {"/global/homes/a/alice/out", "/out", false}}};
  return spec;
}

std::string Line(const BatchJobSpec& spec, ContainerRuntime runtime) {
  auto line = RenderLaunchLine(spec, runtime);
  EXPECT_TRUE(line) << line.status().field() << ": " << line.status().message();
  return line ? *line : "";
}

std::string Refusal(const BatchJobSpec& spec, ContainerRuntime runtime) {
  auto line = RenderLaunchLine(spec, runtime);
  EXPECT_FALSE(line) << *line;
  return line ? "" : line.status().field() + ": " + line.status().message();
}

TEST(BatchLaunch, TheLauncherComesFirstAndEveryWordIsQuoted) {
  BatchJobSpec spec;
  spec.executable = "/home/a b/run";
  spec.arguments = {"$HOME", "", "x;y"};
  EXPECT_EQ(Line(spec, ContainerRuntime::kNone), "'/home/a b/run' '$HOME' '' 'x;y'");
  spec.launcher = "mpirun";
  EXPECT_EQ(Line(spec, ContainerRuntime::kNone), "mpirun '/home/a b/run' '$HOME' '' 'x;y'");
}

TEST(BatchLaunch, AContainerOnASystemWithoutARuntimeIsRefused) {
  EXPECT_EQ(Refusal(InContainer(), ContainerRuntime::kNone),
            "container: this system runs no containers (its container_runtime is none)");
}

TEST(BatchLaunch, ApptainerBindsTheMountsBehindTheLauncher) {
  BatchJobSpec spec = InContainer();
  EXPECT_EQ(Line(spec, ContainerRuntime::kApptainer),
            "apptainer exec --bind /pscratch/alice/data:/data:ro --bind "
            "/global/homes/a/alice/out:/out docker://nvcr.io/nvidia/pytorch:24.01-py3 python3 "
            "train.py --epochs=3");
  spec.launcher = "srun";
  spec.resources = BatchJobSpec::Resources{.gpu_cores_per_process = 1};
  spec.container->volume_mounts.clear();
  EXPECT_EQ(Line(spec, ContainerRuntime::kApptainer),
            "srun apptainer exec --nv docker://nvcr.io/nvidia/pytorch:24.01-py3 python3 train.py "
            "--epochs=3");
  // Without an executable, the image's own runscript.
  spec.executable.reset();
  EXPECT_EQ(Line(spec, ContainerRuntime::kApptainer),
            "srun apptainer run --nv docker://nvcr.io/nvidia/pytorch:24.01-py3 train.py "
            "--epochs=3");
}

TEST(BatchLaunch, PyxisIsSrunOnceOrAsTheLauncher) {
  BatchJobSpec spec = InContainer();
  EXPECT_EQ(Line(spec, ContainerRuntime::kPyxis),
            "srun --nodes=1 --ntasks=1 --container-image=docker://nvcr.io/nvidia/pytorch:24.01-py3 "
            "--container-mounts=/pscratch/alice/data:/data:ro,/global/homes/a/alice/out:/out "
            "python3 train.py --epochs=3");
  spec.launcher = "srun";
  spec.container->volume_mounts.clear();
  EXPECT_EQ(Line(spec, ContainerRuntime::kPyxis),
            "srun --container-image=docker://nvcr.io/nvidia/pytorch:24.01-py3 python3 train.py "
            "--epochs=3");
  spec.launcher = "mpirun";
  EXPECT_EQ(Refusal(spec, ContainerRuntime::kPyxis),
            "launcher: must be srun or left out: this system's containers (pyxis) start through "
            "srun");
  spec.launcher.reset();
  spec.executable.reset();
  EXPECT_EQ(Refusal(spec, ContainerRuntime::kPyxis).substr(0, 24), "executable: is required:");
}

TEST(BatchLaunch, MountsAreAbsolutePathsWithoutSeparators) {
  BatchJobSpec spec = InContainer();
  spec.container->volume_mounts[1].target = "out";
  EXPECT_EQ(Refusal(spec, ContainerRuntime::kApptainer),
            "container.volume_mounts.1.target: must be an absolute path");
  spec = InContainer();
  spec.container->volume_mounts[0].source = "/a,b";
  EXPECT_EQ(Refusal(spec, ContainerRuntime::kPyxis),
            "container.volume_mounts.0.source: must not contain ':' or ',' (they separate "
            "mounts)");
  spec = InContainer();
  spec.container->image = "";
  EXPECT_EQ(Refusal(spec, ContainerRuntime::kApptainer), "container.image: must not be empty");
}

}  // namespace
}  // namespace sfapid
