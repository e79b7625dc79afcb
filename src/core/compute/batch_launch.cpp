#include "core/compute/batch_launch.h"

#include <vector>

#include "core/compute/script_text.h"
#include "util/shell_words.h"

namespace sfapid {

namespace {

using Words = std::vector<std::string>;

Status CheckLauncher(const std::optional<std::string>& launcher) {
  if (!launcher || *launcher == "srun" || *launcher == "mpirun" || *launcher == "mpiexec")
    return Status::Ok();
  return Status::InvalidField("launcher", "must be srun, mpirun or mpiexec");
}

// "src:dst" or "src:dst:ro", as both runtimes write one mount.
Result<std::string> MountSpec(const BatchJobSpec::VolumeMount& m, size_t index) {
  const std::string at = "container.volume_mounts." + std::to_string(index) + ".";
  for (const auto& [key, path] : {std::pair{"source", &m.source}, std::pair{"target", &m.target}}) {
    const std::string field = at + key;
    if (path->empty() || path->front() != '/')
      return Status::InvalidField(field, "must be an absolute path");
    if (path->find_first_of(":,") != std::string::npos)
      return Status::InvalidField(field, "must not contain ':' or ',' (they separate mounts)");
    if (Status s = CheckScriptText(field, *path); !s.ok()) return s;
  }
  std::string spec = m.source;
  spec += ':';
  spec += m.target;
  if (m.read_only) spec += ":ro";
  return spec;
}

Result<Words> MountSpecs(const BatchJobSpec::Container& c) {
  Words specs;
  for (size_t i = 0; i < c.volume_mounts.size(); ++i) {
    auto spec = MountSpec(c.volume_mounts[i], i);
    if (!spec) return spec.status();
    specs.push_back(std::move(*spec));
  }
  return specs;
}

Result<Words> ContainerWords(const BatchJobSpec& spec, ContainerRuntime runtime) {
  const BatchJobSpec::Container& c = *spec.container;
  if (runtime == ContainerRuntime::kNone)
    return Status::InvalidField("container",
                                "this system runs no containers (its container_runtime is none)");
  if (c.image.empty()) return Status::InvalidField("container.image", "must not be empty");
  if (Status s = CheckScriptText("container.image", c.image); !s.ok()) return s;
  auto mounts = MountSpecs(c);
  if (!mounts) return mounts.status();
  Words words;
  if (runtime == ContainerRuntime::kApptainer) {
    if (spec.launcher) words.push_back(*spec.launcher);
    words.push_back("apptainer");
    words.push_back(spec.executable ? "exec" : "run");
    if (spec.resources && spec.resources->gpu_cores_per_process) words.push_back("--nv");
    for (auto& m : *mounts) {
      words.push_back("--bind");
      words.push_back(std::move(m));
    }
    words.push_back(c.image);
  } else {  // pyxis
    if (spec.launcher && *spec.launcher != "srun")
      return Status::InvalidField(
          "launcher",
          "must be srun or left out: this system's containers (pyxis) start through srun");
    if (!spec.executable)
      return Status::InvalidField(
          "executable",
          "is required: this system's containers (pyxis) run a command in the image, not its "
          "entrypoint");
    words.push_back("srun");
    if (!spec.launcher) {  // the application once, as without a container
      words.push_back("--nodes=1");
      words.push_back("--ntasks=1");
    }
    std::string image = "--container-image=";
    image += c.image;
    words.push_back(std::move(image));
    if (!mounts->empty()) {
      std::string list = "--container-mounts=";
      for (size_t i = 0; i < mounts->size(); ++i) {
        if (i > 0) list += ',';
        list += (*mounts)[i];
      }
      words.push_back(std::move(list));
    }
  }
  return words;
}

}  // namespace

Result<std::string> RenderLaunchLine(const BatchJobSpec& spec, ContainerRuntime runtime) {
  if (Status s = CheckLauncher(spec.launcher); !s.ok()) return s;
  if (spec.executable) {
    if (spec.executable->empty()) return Status::InvalidField("executable", "must not be empty");
    if (Status s = CheckScriptText("executable", *spec.executable); !s.ok()) return s;
  }
  for (size_t i = 0; i < spec.arguments.size(); ++i)
    if (Status s = CheckScriptText("arguments." + std::to_string(i), spec.arguments[i]); !s.ok())
      return s;
  Words words;
  if (spec.container) {
    auto prefix = ContainerWords(spec, runtime);
    if (!prefix) return prefix.status();
    words = std::move(*prefix);
  } else {
    if (!spec.executable)
      return Status::InvalidField("executable",
                                  "is required: the job names no executable and no "
                                  "container to run");
    if (spec.launcher) words.push_back(*spec.launcher);
  }
  if (spec.executable) words.push_back(*spec.executable);
  words.insert(words.end(), spec.arguments.begin(), spec.arguments.end());
  std::string line;
  for (const auto& w : words) {
    if (!line.empty()) line += ' ';
    line += ShellWord(w);
  }
  return line;
}

}  // namespace sfapid
