// Fuzzes the parsers of what Slurm's commands print, which sfapid reads on every queue refresh:
// `squeue --json`, `sacct --parsable2` (either delimiter), `scontrol -o show reservation` and
// host lists. The first byte picks the parser so one corpus explores all four.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/scheduler/slurm/hostlist.h"
#include "backends/scheduler/slurm/reservation_text.h"
#include "backends/scheduler/slurm/sacct_text.h"
#include "backends/scheduler/slurm/squeue_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr int64_t kNow = 1767225600;
  namespace slurm = sfapid::slurm;
  switch (data[0] % 5) {
    case 0:
      (void)slurm::ParseSqueueJson(text, kNow);
      break;
    case 1:
      (void)slurm::ParseSacctText(text);
      break;
    case 2:
      (void)slurm::ParseSacctText(text, '|');
      break;
    case 3:
      (void)slurm::ParseReservationList(text, kNow);
      break;
    default:
      (void)slurm::ExpandHostlist(text, 10000);
  }
  return 0;
}
