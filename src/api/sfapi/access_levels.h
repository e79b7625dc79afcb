// The one table of what security level each SFAPI route needs, and which routes create something
// and so take an Idempotency-Key (api/idempotency.h). Every registered route must appear here
// (start-up stops otherwise), so no route is ever left unprotected by accident.
#pragma once

#include <optional>
#include <string>

#include "api/idempotency.h"
#include "domain/level.h"

namespace sfapid::sfapi {

struct AccessRule {
  bool known = false;
  std::optional<Level> level;  // empty: public
  bool creates = false;        // a job, command, upload, transfer, reservation: Idempotency-Key
  // What a retry does when the request it repeats was interrupted by sfapid's death: jobs and
  // commands find their task again, uploads write the same bytes again; a transfer or a
  // reservation would be made twice, so such a retry is refused.
  api::AfterInterruption after_interruption = api::AfterInterruption::kRunAgain;
};

// method "GET", path as registered relative to the API prefix, e.g. "/compute/jobs/{machine}".
AccessRule AccessRuleFor(const std::string& method, const std::string& path);

}  // namespace sfapid::sfapi
