#include "core/compute/job_changes.h"

#include "util/one_line.h"

namespace sfapid {

namespace {

// Values reach scontrol as arguments and the job's record: one line of printable text.
Status CheckText(const std::string& field, const std::optional<std::string>& value) {
  if (!value) return Status::Ok();
  if (value->empty()) return Status::InvalidField(field, "must not be empty");
  if (!IsOneLine(*value))
    return Status::InvalidField(field, "must be one line without control characters");
  return Status::Ok();
}

}  // namespace

Result<JobChanges> JobChangesFrom(const BatchJobSpec& spec) {
  const BatchJobSpec::Attributes& a = spec.attributes;
  for (Status s : {CheckText("name", spec.name), CheckText("attributes.queue_name", a.queue_name),
                   CheckText("attributes.account", a.account)})
    if (!s.ok()) return s;
  JobChanges changes;
  changes.name = spec.name;
  changes.partition = a.queue_name;
  changes.account = a.account;
  if (a.duration) {
    if (*a.duration < 1)
      return Status::InvalidField("attributes.duration", "must be at least 1 (seconds)");
    changes.time_limit = *a.duration;
  }
  if (spec.resources && spec.resources->node_count) {
    const int64_t nodes = *spec.resources->node_count;
    // sbatch's own bound on a node count.
    if (nodes < 1 || nodes > 100000)
      return Status::InvalidField("resources.node_count", "must be between 1 and 100000");
    changes.nodes = static_cast<int>(nodes);
  }
  return changes;
}

}  // namespace sfapid
