// A same-host copy of one regular file inside the kernel (copy_file_range, as cp does), for
// transfers: written to a hidden temporary file beside the target and renamed when complete, mode
// and times kept (like rsync --archive), progress reported as it goes. Runs in the worker as the
// user.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid::fileops {

// target may be a folder (existing, or ending in "/"): the file keeps its name there. Missing
// folders on the way are created. on_progress(bytes so far) is called after every chunk. The
// source is opened and the target's folder held before either is checked against its roots
// (held_name.h), so no path swapped in meanwhile leads out of them.
Status CopyFile(const std::string& source, const std::vector<std::string>& source_roots,
                const std::string& target, const std::vector<std::string>& target_roots,
                const std::function<void(int64_t)>& on_progress);

}  // namespace sfapid::fileops
