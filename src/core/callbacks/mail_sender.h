// Sends a callback mail: a file in the outbox folder by default, or the operator's mail command
// (e.g. sendmail -t) given the message on stdin.
#pragma once

#include <string>
#include <vector>

#include "domain/delivery_attempt.h"

namespace sfapid {

// Writes <dir>/<file_name> (the folder is created 0700) through a temporary file and a rename, so
// that whoever drains the outbox never sees half a message.
AttemptOutcome WriteToOutbox(const std::string& dir, const std::string& file_name,
                             const std::string& message);

// Runs argv (no shell) with the message on stdin. Delivered when it exits 0 within
// timeout_seconds; killed when it runs longer or stop fires.
AttemptOutcome RunMailCommand(const std::vector<std::string>& argv, const std::string& message,
                              double timeout_seconds, StopSignal& stop);

}  // namespace sfapid
