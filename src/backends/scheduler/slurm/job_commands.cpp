#include "backends/scheduler/slurm/job_commands.h"

#include <boost/json.hpp>

#include "backends/scheduler/slurm_time.h"
#include "util/split.h"

namespace sfapid::slurm {

namespace json = boost::json;

Result<std::string> SubmitJob(SlurmCommands& commands, const JobScript& script,
                              const std::vector<std::string>& roots) {
  json::array root_list;
  for (const auto& r : roots) root_list.emplace_back(r);
  // sbatch runs in the submit folder, as a user who typed it there: the job's working folder is
  // that one unless the script's own #SBATCH --chdir says otherwise (an option on the command line
  // would override the script's).
  std::vector<std::string> args{"--parsable"};
  // On the command line it overrides every account the script could name (#SBATCH in any form,
  // #PBS, het job components).
  if (!script.charge_account.empty()) args.push_back("--account=" + script.charge_account);
  args.push_back(script.path);
  args.insert(args.end(), script.args.begin(), script.args.end());
  auto r = commands.AsUser(script.who, "sbatch", args,
                           json::array{json::object{{"path", script.path}, {"roots", root_list}}},
                           script.submit_dir);
  const std::string out = Trim(r.out);
  if (r.exit_code != 0 || out.empty()) {
    std::string err = Trim(r.err);
    if (err.empty())
      err = "sbatch: error: Batch job submission failed (exit " + std::to_string(r.exit_code) + ")";
    // slurmctld may still make the job from what it was sent, once it answers again.
    if (r.timed_out) return Status::DeadlineExceeded(err + " (timed out)");
    return Status::InvalidArgument(err);
  }
  // --parsable prints "<id>;<cluster>" when the job went to a cluster named with --clusters: the
  // system's own (slurm_cluster, passed on the command line, which overrides the script), or one
  // the script's #SBATCH -M chose when none is configured. A job on another cluster is not this
  // system's: its id there may be another user's job here, whose end would be reported as this
  // one's. Refused with what became of it, so that the user can find it.
  const std::size_t semicolon = out.find(';');
  const std::string jobid = out.substr(0, semicolon);
  if (semicolon != std::string::npos && out.substr(semicolon + 1) != commands.cluster())
    return Status::FailedPrecondition(
        "sbatch: job " + jobid + " was submitted to cluster " + out.substr(semicolon + 1) +
        ", not to this system's" +
        (commands.cluster().empty() ? "" : " (" + commands.cluster() + ")") +
        " (the script's --clusters or -M): it runs there, and this API does not follow it");
  return jobid;
}

Status CancelJob(SlurmCommands& commands, const UnixIdentity& who, const std::string& jobid) {
  // Plain scancel (22.05) exits 0 and says nothing for a job that has ended or that slurmctld
  // does not know; -v prints why ("Job/step already completing or completed", "Invalid job id
  // specified") among progress lines, and those errors are what the caller needs to hear.
  auto r = commands.AsUser(who, "scancel", {"-v", "--", jobid}, json::array{});
  std::string errors;
  for (const std::string& line : SplitList(r.err, '\n'))
    if (line.find("error:") != std::string::npos) {
      if (!errors.empty()) errors.push_back('\n');
      errors.append(line);
    }
  if (r.exit_code != 0 || !errors.empty())
    return Status::InvalidArgument(
        errors.empty() ? "scancel: error: exit " + std::to_string(r.exit_code) : errors);
  return Status::Ok();
}

std::vector<std::string> UpdateJobArgs(const std::string& jobid, const JobChanges& changes) {
  std::vector<std::string> args{"update", "JobId=" + jobid};
  const auto field = [&args](const char* tag, const std::string& value) {
    std::string arg = tag;
    arg += '=';
    arg += value;
    args.push_back(std::move(arg));
  };
  if (changes.name) field("JobName", *changes.name);
  if (changes.time_limit) field("TimeLimit", FormatTimeLimit(*changes.time_limit));
  if (changes.partition) field("Partition", *changes.partition);
  if (changes.account) field("Account", *changes.account);
  if (changes.nodes) field("NumNodes", std::to_string(*changes.nodes));
  return args;
}

Status UpdateJobRefusal(const CommandResult& r) {
  // Slurm 22.05 prints "<why> for job <id>" on stderr and exits 1.
  std::string err = Trim(r.err.empty() ? r.out : r.err);
  if (err.empty()) err = "scontrol update failed (exit " + std::to_string(r.exit_code) + ")";
  if (r.timed_out) return Status::Unavailable(err + " (timed out)");
  const auto says = [&err](const char* words) { return err.find(words) != std::string::npos; };
  if (says("Invalid job id") || says("Invalid user id")) return Status::NotFound(err);
  if (says("Job is no longer pending execution")) return Status::FailedPrecondition(err);
  if (says("Access/permission denied")) return Status::PermissionDenied(err);
  return Status::InvalidArgument(err);
}

Status UpdateJob(SlurmCommands& commands, const UnixIdentity& who, const std::string& jobid,
                 const JobChanges& changes) {
  if (changes.empty()) return Status::Ok();  // scontrol would say "No changes specified"
  auto r = commands.AsUser(who, "scontrol", UpdateJobArgs(jobid, changes), json::array{});
  if (r.exit_code == 0 && !r.timed_out) return Status::Ok();
  return UpdateJobRefusal(r);
}

Result<std::string> FindDefaultAccount(SlurmCommands& commands, const std::string& unix_user) {
  auto r =
      commands.AsServer("sacctmgr", {"-nP", "show", "user", unix_user, "format=DefaultAccount"});
  std::string account = Trim(r.out);
  if (r.exit_code != 0 || account.empty() || account.find('\n') != std::string::npos)
    return Status::Unavailable("cannot find the default Slurm account of " + unix_user + ": " +
                               Trim(r.err.empty() ? r.out : r.err));
  return account;
}

Status PingController(SlurmCommands& commands) {
  auto r = commands.AsServer("scontrol", {"ping"});
  if (r.exit_code == 0 && r.out.find("is UP") != std::string::npos) return Status::Ok();
  return Status::Unavailable("slurmctld does not answer: " + Trim(r.out.empty() ? r.err : r.out));
}

}  // namespace sfapid::slurm
