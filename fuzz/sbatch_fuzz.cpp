// Fuzzes what reads a user's batch script before any scheduler sees it: the #SBATCH directive
// reader (the account check), the local scheduler's whole option parser (every option, --array,
// --dependency, --begin, --time), and the array-index and time parsers on the raw input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/scheduler/array_indices.h"
#include "backends/scheduler/local/sbatch_options.h"
#include "backends/scheduler/sbatch_directives.h"
#include "backends/scheduler/slurm_time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1767225600;  // 2026-01-01
  (void)sfapid::local::ParseSbatchScript(text, kNow);
  (void)sfapid::DirectiveAccount(text);
  (void)sfapid::DirectiveValue(text, 'J', "job-name");
  (void)sfapid::SplitDirectiveWords(text);
  (void)sfapid::ParseArrayIndices(text);
  (void)sfapid::slurm::ParseDuration(text);
  (void)sfapid::slurm::ParseBegin(text, kNow);
  return 0;
}
