// Whether sfapid can keep its state where the configuration says: data_dir must be a folder this
// account may write, or one it can create, and an existing database file must be writable. The
// message names the setting and the cause, for `sfapid config check` and for start-up alike.
#pragma once

#include "config/config.h"
#include "util/status.h"

namespace sfapid {

Status CheckDataDir(const Config& config);

}  // namespace sfapid
