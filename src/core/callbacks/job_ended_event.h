// The job.ended event: the JSON body a callback POSTs (and that is stored with its delivery), and
// the same facts as a mail message for callbackEmail.
#pragma once

#include <cstdint>
#include <string>

#include "core/callbacks/event_mail.h"
#include "domain/finished_job.h"
#include "util/time_format.h"

namespace sfapid {

// {"event":"job.ended","delivery_id":...,"sent_at":...,"machine":...,"jobid":...,"user":...,
//  "account":...,"state":...,"exit_code":...,"submit_time":...,"start_time":...,"end_time":...}
// Times are ISO-8601 UTC strings, null when the scheduler reported none (0).
std::string JobEndedBody(const FinishedJob& job, const std::string& delivery_id, TimePoint sent_at);

// The body with "sent_at" set to this attempt's time (every other byte as it was).
std::string WithSentAt(const std::string& body, TimePoint sent_at);

// An RFC 5322 message (CRLF line ends) telling `to` the facts of the event body.
std::string JobEndedMail(const std::string& body, const std::string& from, const std::string& to,
                         TimePoint date);

}  // namespace sfapid
