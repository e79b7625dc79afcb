// The JobSpec each job submitted through the IRI facility API was given (its canonical JSON,
// api/iri/job_spec_json.h), so that getJob with include_spec shows what the user asked for — the
// executable, arguments and environment a scheduler's queue row no longer tells. Per system and
// job id (a reused id overwrites), readable only by the job's owner, forgotten after
// kJobSpecKeepDays.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/status.h"

namespace sfapid {

inline constexpr int kJobSpecKeepDays = 30;

class JobSpecStore {
 public:
  virtual ~JobSpecStore() = default;
  virtual Status SaveJobSpec(const std::string& system, const std::string& jobid,
                             const std::string& owner, const std::string& spec_json,
                             int64_t created_ms) = 0;
  // nullopt when the job was not submitted through the IRI API by `owner` (or was forgotten).
  virtual Result<std::optional<std::string>> JobSpecOf(const std::string& system,
                                                       const std::string& jobid,
                                                       const std::string& owner) = 0;
  // Forgets specs saved before before_ms; how many.
  virtual Result<int> PurgeJobSpecs(int64_t before_ms) = 0;
};

}  // namespace sfapid
