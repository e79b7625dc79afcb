#include "backends/runas/run_as.h"

#include <signal.h>

namespace sfapid {

void RunAs::Signal(pid_t pid, int signal) {
  if (pid <= 0) return;
  ::kill(-pid, signal);
  ::kill(pid, signal);
}

}  // namespace sfapid
