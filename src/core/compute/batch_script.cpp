#include "core/compute/batch_script.h"

#include <array>
#include <string_view>

#include "backends/scheduler/slurm_time.h"
#include "core/compute/batch_launch.h"
#include "core/compute/script_text.h"
#include "util/one_line.h"
#include "util/shell_words.h"

namespace sfapid {

namespace {

constexpr std::array<std::string_view, 10> kCustomOptions = {
    "constraint", "qos",        "gres",      "licenses",  "comment",
    "begin",      "dependency", "mail-type", "mail-user", "nice"};
constexpr std::string_view kSlurmPrefix = "slurm.";

// A value as one word of an #SBATCH line that sbatch (quotes of either kind, backslash escapes,
// an unquoted '#' starting a comment) and the local scheduler (sbatch_directives.h: quotes of
// either kind, no escapes) both read back unchanged.
Result<std::string> DirectiveWord(const std::string& field, const std::string& value) {
  if (value.empty()) return Status::InvalidField(field, "must not be empty");
  if (!IsOneLine(value))
    return Status::InvalidField(field,
                                "must be one line without control characters (it is written on "
                                "an #SBATCH line)");
  if (value.find('\\') != std::string::npos)
    return Status::InvalidField(field, "must not contain a backslash");
  if (value.find_first_of(" \"'#") == std::string::npos) return value;
  const char quote = value.find('"') == std::string::npos ? '"' : '\'';
  if (value.find(quote) != std::string::npos)
    return Status::InvalidField(field, "must not contain both kinds of quote");
  std::string word(1, quote);
  word += value;
  word += quote;
  return word;
}

class Directives {
 public:
  // "#SBATCH --<option>=<value>"; the first refusal is kept and later calls do nothing.
  void Text(std::string_view option, const std::string& field,
            const std::optional<std::string>& value) {
    if (!value || !status_.ok()) return;
    auto word = DirectiveWord(field, *value);
    if (!word) {
      status_ = word.status();
      return;
    }
    Line(option, *word);
  }
  void Count(std::string_view option, const std::string& field,
             const std::optional<int64_t>& value) {
    if (!value || !status_.ok()) return;
    if (*value < 1) {
      status_ = Status::InvalidField(field, "must be at least 1");
      return;
    }
    Line(option, std::to_string(*value));
  }
  void Line(std::string_view option, std::string_view value = {}) {
    text_ += "#SBATCH --";
    text_ += option;
    if (!value.empty()) {
      text_ += '=';
      text_ += value;
    }
    text_ += '\n';
  }
  void Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }
  const Status& status() const { return status_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  Status status_;
};

void AddResources(const BatchJobSpec::Resources& r, Directives& d) {
  d.Count("nodes", "resources.node_count", r.node_count);
  d.Count("ntasks", "resources.process_count", r.process_count);
  d.Count("ntasks-per-node", "resources.processes_per_node", r.processes_per_node);
  d.Count("cpus-per-task", "resources.cpu_cores_per_process", r.cpu_cores_per_process);
  d.Count("gpus-per-task", "resources.gpu_cores_per_process", r.gpu_cores_per_process);
  if (r.exclusive_node_use) d.Line("exclusive");
  if (r.memory) {
    if (*r.memory < 1)
      return d.Fail(Status::InvalidField("resources.memory", "must be at least 1"));
    constexpr int64_t kMiB = 1024 * 1024;
    const int64_t mib = *r.memory / kMiB + (*r.memory % kMiB != 0 ? 1 : 0);
    std::string value = std::to_string(mib);
    value += 'M';
    d.Line("mem", value);
  }
}

void AddCustomAttributes(const std::map<std::string, std::string>& custom, Directives& d) {
  for (const auto& [key, value] : custom) {
    std::string field = "attributes.custom_attributes.";
    field += key;
    std::string_view option = key;
    if (option.rfind(kSlurmPrefix, 0) == 0) option.remove_prefix(kSlurmPrefix.size());
    bool allowed = false;
    for (std::string_view o : kCustomOptions) allowed |= o == option;
    if (!allowed) {
      std::string allowed_list;
      for (std::string_view o : kCustomOptions) {
        if (!allowed_list.empty()) allowed_list += ", ";
        allowed_list += o;
      }
      return d.Fail(Status::InvalidField(
          field, "is not a scheduler option this facility passes on (allowed: " + allowed_list +
                     ", each also with a \"slurm.\" prefix)"));
    }
    d.Text(option, field, value);
  }
}

std::string RenderDirectives(const BatchJobSpec& spec, Status& status) {
  Directives d;
  d.Text("job-name", "name", spec.name);
  d.Text("chdir", "directory", spec.directory);
  d.Text("input", "stdin_path", spec.stdin_path);
  d.Text("output", "stdout_path", spec.stdout_path);
  d.Text("error", "stderr_path", spec.stderr_path);
  d.Line("export", spec.inherit_environment ? "ALL" : "NONE");
  if (spec.resources) AddResources(*spec.resources, d);
  const BatchJobSpec::Attributes& a = spec.attributes;
  if (a.duration) {
    if (*a.duration < 1)
      d.Fail(Status::InvalidField("attributes.duration", "must be at least 1 (seconds)"));
    else
      d.Line("time", slurm::FormatTimeLimit(*a.duration));
  }
  d.Text("partition", "attributes.queue_name", a.queue_name);
  d.Text("account", "attributes.account", a.account);
  d.Text("reservation", "attributes.reservation_id", a.reservation_id);
  AddCustomAttributes(a.custom_attributes, d);
  status = d.status();
  return d.text();
}

Status AddEnvironment(const std::map<std::string, std::string>& environment, std::string& out) {
  for (const auto& [key, value] : environment) {
    std::string field = "environment.";
    field += key;
    if (!IsShellName(key))
      return Status::InvalidField(
          field, "must be a shell variable name (letters, digits and '_', not first a digit)");
    if (Status s = CheckScriptText(field, value); !s.ok()) return s;
    out += "export ";
    out += key;
    out += '=';
    out += SingleQuote(value);
    out += '\n';
  }
  return Status::Ok();
}

// pre_launch or post_launch: the user's own shell lines, as written.
Status AddLines(const std::string& field, const std::optional<std::string>& lines,
                std::string& out) {
  if (!lines) return Status::Ok();
  if (Status s = CheckScriptText(field, *lines); !s.ok()) return s;
  out += *lines;
  if (!lines->empty() && lines->back() != '\n') out += '\n';
  return Status::Ok();
}

}  // namespace

Result<std::string> RenderBatchScript(const BatchJobSpec& spec, ContainerRuntime runtime) {
  std::string script = "#!/bin/bash\n";
  Status status;
  script += RenderDirectives(spec, status);
  if (!status.ok()) return status;
  auto launch = RenderLaunchLine(spec, runtime);
  if (!launch) return launch.status();
  script += "export SLURM_EXPORT_ENV=ALL\n";
  if (Status s = AddEnvironment(spec.environment, script); !s.ok()) return s;
  if (Status s = AddLines("pre_launch", spec.pre_launch, script); !s.ok()) return s;
  script += *launch;
  script += '\n';
  if (spec.post_launch) {
    script += "sfapid_exit=$?\n";
    if (Status s = AddLines("post_launch", spec.post_launch, script); !s.ok()) return s;
    script += "exit \"$sfapid_exit\"\n";
  }
  return script;
}

}  // namespace sfapid
