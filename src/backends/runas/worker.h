// The worker: a short-lived `sfapid worker --account NAME [--cgroup PATH]` process that drops to
// the account's uid, gid and groups before it reads its request, then does one file operation or
// becomes the user's command. The server starts it with posix_spawn and talks to it over pipes: one
// JSON line each way, followed by raw bytes (upload content in, download content out).
#pragma once

#include <string>

namespace sfapid {

// The worker's main; returns its exit code. `cgroup`: for a command, the cgroup the server made
// for it (util/process_cgroup.h), entered before the worker drops privileges; "" for none.
int RunWorker(const std::string& account, const std::string& cgroup = "");

}  // namespace sfapid
