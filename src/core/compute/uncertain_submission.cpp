#include "core/compute/uncertain_submission.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/compute/submission_takeover.h"
#include "util/time_format.h"

namespace sfapid {

namespace {

constexpr auto kLookEvery = std::chrono::seconds(2);

}  // namespace

Result<std::string> AwaitUncertainSubmission(TaskContext& task, Scheduler& scheduler,
                                             const UncertainSubmission& s) {
  using Clock = std::chrono::steady_clock;
  const std::string from = " from " + s.script->path + " since " +
                           FormatIso8601(TimePoint{std::chrono::seconds{s.since}});
  const std::string lead = s.timed_out.message() + "; ";
  spdlog::warn(
      "task {}: sbatch timed out; waiting for the scheduler to tell whether it made the "
      "job{}",
      task.id(), from);
  const auto give_up_at = Clock::now() + s.give_up;
  // The scheduler has answered "none" since then (min: it has not).
  Clock::time_point none_since = Clock::time_point::min();
  while (Clock::now() < give_up_at && !task.cancelled()) {
    auto found = scheduler.FindSubmitted(*s.script, s.since, s.reservation);
    if (found && found->size() == 1) {
      spdlog::info("task {}: the timed-out submission made job {}", task.id(), found->front());
      return found->front();
    }
    if (found && found->size() > 1)
      return Status::Unavailable(lead + "jobs " + JoinedJobIds(*found) + " of yours" + from +
                                 " are in the scheduler and one of them may be this submission: "
                                 "check them before submitting again");
    if (found) {
      if (none_since == Clock::time_point::min()) none_since = Clock::now();
      if (Clock::now() - none_since >= s.settle)
        return Status::Unavailable(lead + "the scheduler answered again and has no job of yours" +
                                   from + ": submit it again");
    } else {
      none_since = Clock::time_point::min();  // still not answering
    }
    std::this_thread::sleep_for(kLookEvery);
  }
  return Status::DeadlineExceeded(lead +
                                  "the scheduler has not told since whether it made the "
                                  "job, so it may still appear: check squeue before "
                                  "submitting again");
}

}  // namespace sfapid
