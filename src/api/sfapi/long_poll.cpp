#include "api/sfapi/long_poll.h"

#include <fmt/format.h>

#include <boost/algorithm/string/predicate.hpp>
#include <charconv>

#include "http/errors.h"

namespace sfapid::sfapi {

namespace {

using Clock = std::chrono::steady_clock;

bool Holds(const LongPollParams& params, const std::string& first_state, const PollSnapshot& now) {
  if (now.state.empty()) return true;  // nothing to wait on: answer what there is
  if (params.until == "changed") return now.state != first_state;
  return boost::algorithm::iequals(now.state, params.until) || now.ended;
}

http::Response Answered(PollSnapshot snap, const char* how) {
  snap.response.headers.emplace_back("X-Sfapid-Waited", how);
  return std::move(snap.response);
}

class WaitingPoll : public http::DeferredResponse {
 public:
  WaitingPoll(EventHub& hub, std::string owner, std::string kind, std::string object_id,
              LongPollParams params, std::function<PollSnapshot()> read, std::string first_state,
              std::shared_ptr<EventWatch> watch)
      : hub_(hub),
        owner_(std::move(owner)),
        kind_(std::move(kind)),
        object_id_(std::move(object_id)),
        params_(std::move(params)),
        read_(std::move(read)),
        first_state_(std::move(first_state)),
        deadline_(Clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(params_.wait_seconds * 1000))),
        watch_(std::move(watch)) {}

  void Start(http::Wake wake) override {
    wake_ = std::move(wake);
    watch_->SetWake(wake_);
  }
  Clock::time_point deadline() const override { return deadline_; }
  std::optional<http::Response> Check(bool final) override {
    // Watched again before the read: an event between the two wakes this poll once more.
    watch_->Release();
    watch_ = hub_.Watch(owner_, kind_, object_id_, nullptr);
    watch_->SetWake(wake_);
    PollSnapshot now = read_();
    if (Holds(params_, first_state_, now)) return Answered(std::move(now), "changed");
    if (final) return Answered(std::move(now), "timeout");
    return std::nullopt;
  }
  void Close() override { watch_->Release(); }

 private:
  EventHub& hub_;
  const std::string owner_, kind_, object_id_;
  const LongPollParams params_;
  const std::function<PollSnapshot()> read_;
  const std::string first_state_;
  const Clock::time_point deadline_;
  std::shared_ptr<EventWatch> watch_;
  http::Wake wake_;
};

}  // namespace

openapi::Operation& WithLongPoll(openapi::Operation& op, const std::string& states) {
  return op
      .QueryParam("wait", {{"type", "number"}, {"minimum", 0}},
                  "sfapid extension (long-poll): wait up to this many seconds (at most [events] "
                  "max_wait_seconds) for `until` to hold, then answer as usual; header "
                  "X-Sfapid-Waited says changed or timeout")
      .QueryParam("until", {{"type", "string"}, {"default", "changed"}},
                  "With wait: `changed` (any change of state) or a state (" + states +
                      "); a state that can no longer come answers at the end");
}

std::variant<std::optional<LongPollParams>, http::Response> ReadLongPoll(const http::Request& req,
                                                                         double max_wait_seconds) {
  const std::string* wait = req.Query("wait");
  const std::string* until = req.Query("until");
  if (!wait) {
    if (until)
      return http::ValidationError(
          {{"query", "until"}, "until needs wait=SECONDS", "value_error.missing"});
    return std::optional<LongPollParams>();
  }
  LongPollParams p;
  const char* end = wait->data() + wait->size();
  auto [ptr, ec] = std::from_chars(wait->data(), end, p.wait_seconds);
  if (ec != std::errc() || ptr != end || !(p.wait_seconds >= 0) ||
      p.wait_seconds > max_wait_seconds)
    return http::ValidationError(
        {{"query", "wait"},
         fmt::format("wait must be a number of seconds from 0 to {:g}", max_wait_seconds),
         "value_error.number"});
  if (until) {
    if (until->empty() || until->size() > 64)
      return http::ValidationError(
          {{"query", "until"}, "until must be a state or 'changed'", "value_error"});
    p.until = boost::algorithm::iequals(*until, "changed") ? "changed" : *until;
  }
  return std::optional<LongPollParams>(std::move(p));
}

http::Response LongPoll(EventHub& hub, const std::string& owner, const std::string& kind,
                        const std::string& object_id, const LongPollParams& params,
                        std::function<PollSnapshot()> read) {
  // Watched before the first read: no event can fall between the two.
  auto watch = hub.Watch(owner, kind, object_id, nullptr);
  PollSnapshot first = read();
  const bool until_now = params.until != "changed" && Holds(params, "", first);
  if (params.wait_seconds <= 0 || first.state.empty() || until_now) {
    watch->Release();
    return std::move(first.response);
  }
  http::Response r;
  r.deferred = std::make_shared<WaitingPoll>(hub, owner, kind, object_id, params, std::move(read),
                                             first.state, std::move(watch));
  return r;
}

}  // namespace sfapid::sfapi
