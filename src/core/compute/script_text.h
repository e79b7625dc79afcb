// What of a JobSpec's text may go into a batch script at all: sbatch refuses a script with a NUL
// (the C string ends there) or with DOS line ends ("\r\n"), so a value with either is refused up
// front, naming its field, rather than by sbatch with words about a script the user never wrote.
// A lone '\r' is refused with them: it would make "\r\n" as soon as a line follows.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sfapid {

inline Status CheckScriptText(const std::string& field, std::string_view value) {
  if (value.find('\0') != std::string_view::npos || value.find('\r') != std::string_view::npos)
    return Status::InvalidField(field, "must not contain a NUL or a carriage return character");
  return Status::Ok();
}

}  // namespace sfapid
