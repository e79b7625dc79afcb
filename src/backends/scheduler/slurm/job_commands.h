// sbatch, scancel and sacctmgr as the Slurm backend runs them, and what their output means: the
// job id, or the command's own error words for the user.
#pragma once

#include <string>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "backends/scheduler/slurm/slurm_command.h"

namespace sfapid::slurm {

// `sbatch --parsable` as the user in the submit folder; `roots` are the folders the script must
// lie in. The job id; InvalidArgument with sbatch's error, Unavailable when it timed out.
Result<std::string> SubmitJob(SlurmCommands& commands, const JobScript& script,
                              const std::vector<std::string>& roots);
// `scancel -v` as the user; InvalidArgument with scancel's error lines.
Status CancelJob(SlurmCommands& commands, const UnixIdentity& who, const std::string& jobid);
// `scontrol update JobId=<id> JobName= TimeLimit= Partition= Account= NumNodes=` as the user, only
// the fields that change; nothing runs for empty changes. scontrol's refusal ("<why> for job
// <id>") as NotFound (Invalid job id, Invalid user id: not a job of theirs), FailedPrecondition
// (Job is no longer pending execution), PermissionDenied (Access/permission denied: e.g. a time
// limit past the partition's), Unavailable (timed out) or else InvalidArgument. scontrol applies
// fields one by one: a refusal may leave others changed.
Status UpdateJob(SlurmCommands& commands, const UnixIdentity& who, const std::string& jobid,
                 const JobChanges& changes);
// Its parts: scontrol's arguments, one per field (scontrol splits each at its first '=', so a
// value may hold anything), and what a failed run means.
std::vector<std::string> UpdateJobArgs(const std::string& jobid, const JobChanges& changes);
Status UpdateJobRefusal(const CommandResult& r);
// `sacctmgr show user`'s DefaultAccount for a Unix user; Unavailable when Slurm does not say.
Result<std::string> FindDefaultAccount(SlurmCommands& commands, const std::string& unix_user);
// `scontrol ping`: Unavailable with its words when slurmctld does not answer.
Status PingController(SlurmCommands& commands);

}  // namespace sfapid::slurm
