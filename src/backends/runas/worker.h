// The worker: an `sfapid worker --account NAME [--cgroup PATH] [--serve]` process that drops to
// the account's uid, gid and groups before it reads a request. A one-request worker does one file
// operation or becomes the user's command; a serving one (--serve, user_worker_pool.h) answers one
// file request after another. The server starts it with posix_spawn and talks to it over pipes or
// a Unix socket: a JSON line each way, each followed by raw bytes whose length the line gives
// ("input_size" in, "body_size" out: upload content in, download content out).
#pragma once

#include <string>

namespace sfapid {

// The worker's main; returns its exit code. `cgroup`: for a command, the cgroup the server made
// for it (util/process_cgroup.h), entered before the worker drops privileges; "" for none.
// `serve`: answer file requests until the server closes stdin (one socket is stdin and stdout).
int RunWorker(const std::string& account, const std::string& cgroup = "", bool serve = false);

}  // namespace sfapid
