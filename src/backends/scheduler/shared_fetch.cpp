#include "backends/scheduler/shared_fetch.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "util/time_format.h"

namespace sfapid {

namespace {

// How often a node waiting for another's refresh looks for it: a fraction of any refresh
// interval, and one small indexed read each time (the data is read once, when it is there).
constexpr auto kWaitStep = std::chrono::milliseconds(20);

}  // namespace

SharedFetch::SharedFetch(SharedViews& views, std::string key, std::string node,
                         int64_t min_interval_ms, int64_t claim_ms)
    : views_(views),
      key_(std::move(key)),
      node_(std::move(node)),
      min_interval_ms_(min_interval_ms),
      claim_ms_(claim_ms) {}

Result<SharedView> SharedFetch::Get(int64_t not_before_ms, const Read& read) {
  // Long enough for a holder that died to lose its claim and for this node's own refresh.
  const int64_t give_up = NowUnixMs() + 2 * claim_ms_ + min_interval_ms_;
  for (;;) {
    auto saved = views_.ReadView(key_, not_before_ms);
    if (!saved) return saved.status();
    if (*saved) {
      ++shared_reads_;
      return std::move(**saved);
    }
    const int64_t now = NowUnixMs();
    auto claimed =
        views_.ClaimRefresh(key_, node_, now, now + claim_ms_, min_interval_ms_, not_before_ms);
    if (!claimed) return claimed.status();
    if (*claimed) {
      ++own_reads_;
      Result<std::string> data = read();
      if (!data) {
        if (Status s = views_.ReleaseRefresh(key_, node_); !s.ok())
          spdlog::warn("{}: could not let the refresh claim go: {}", key_, s.message());
        return data.status();
      }
      SharedView view{now, std::move(data).value()};
      if (Status s = views_.SaveView(key_, node_, view); !s.ok())
        spdlog::warn("{}: the view this node read could not be shared: {}", key_, s.message());
      return view;
    }
    if (now > give_up) return Status::Unavailable("no sfapid node refreshed " + key_ + " in time");
    std::this_thread::sleep_for(kWaitStep);
  }
}

void SharedFetch::NoteChange(const std::string& user, int64_t at_ms) {
  if (Status s = views_.NoteChange(key_, user, at_ms); !s.ok())
    spdlog::warn("{}: {}'s change is not known to the other nodes: {}", key_, user, s.message());
}

int64_t SharedFetch::LastChange(const std::string& user) {
  auto at = views_.LastChange(key_, user);
  if (at) return *at;
  spdlog::warn("{}: cannot read {}'s last change: {}", key_, user, at.status().message());
  return 0;
}

}  // namespace sfapid
