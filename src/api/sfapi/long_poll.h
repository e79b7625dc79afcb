// Long-poll on a GET (sfapid extension, docs/events.md): `wait=SECONDS&until=STATE|changed`
// answers as soon as the object's state is STATE (or ended, when STATE can no longer come), or
// differs from what it was (`changed`, the default), or when the wait is over, with the GET's
// usual answer. The wait holds no thread: the event hub wakes it at the object's next event.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "api/openapi/operation.h"
#include "core/events/event_hub.h"
#include "http/message.h"

namespace sfapid::sfapi {

struct LongPollParams {
  double wait_seconds = 0;
  std::string until = "changed";  // or a state, compared without case
};

// The operation with the two query parameters documented; `states` names what `until` takes.
openapi::Operation& WithLongPoll(openapi::Operation& op, const std::string& states);

// The parameters (nullopt without `wait`), or the 422 that says what is wrong with them.
std::variant<std::optional<LongPollParams>, http::Response> ReadLongPoll(const http::Request& req,
                                                                         double max_wait_seconds);

// What the GET answers now, and the state it shows.
struct PollSnapshot {
  http::Response response;
  std::string state;   // "" when there is no state to wait on (an error answer)
  bool ended = false;  // the state will not change again
};

// The GET's answer, at once when nothing is to be waited for, else a deferred one. `read` runs on
// the blocking pool, each time the object has an event.
http::Response LongPoll(EventHub& hub, const std::string& owner, const std::string& kind,
                        const std::string& object_id, const LongPollParams& params,
                        std::function<PollSnapshot()> read);

}  // namespace sfapid::sfapi
