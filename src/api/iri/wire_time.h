// Times as the IRI API writes them: date-times in UTC with "Z" (spec §1 "Timestamps"), and the
// HTTP-date of a 304's Last-Modified header.
#pragma once

#include <string>

#include "util/time_format.h"

namespace sfapid::iri {

// "2026-02-21T12:00:00Z"
std::string Timestamp(TimePoint t);
// "Sat, 21 Feb 2026 12:00:00 GMT"
std::string HttpDate(TimePoint t);

}  // namespace sfapid::iri
