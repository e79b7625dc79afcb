#include "core/reservations/reservation_notifier.h"

#include <spdlog/spdlog.h>

namespace sfapid {

namespace {
constexpr int kBatch = 200;
}

bool IsNotified(const ReservationEvent& e) {
  return e.action != "request" && e.action != "release";
}

void ReservationNotifier::Pass() {
  for (;;) {
    auto notices = store_.UnnotifiedEvents(kBatch);
    if (!notices) {
      spdlog::error("reservations: cannot read what to notify: {}", notices.status().message());
      return;
    }
    for (const auto& n : *notices) {
      const int64_t id = n.event.reservation_id;
      if (IsNotified(n.event)) {
        auto r = store_.GetReservation(id);
        if (!r || !*r) {
          spdlog::error("reservations: cannot read reservation {} to notify: {}", id,
                        r ? "gone" : r.status().message());
          return;
        }
        if (Status s = callbacks_.ReservationChanged(**r, n); !s.ok()) {
          spdlog::error("reservations: notice of reservation {} ({}) not stored: {}", id,
                        n.event.action, s.message());
          return;  // the mark stays: the next pass tries this line again
        }
      }
      if (Status s = store_.MarkNotified(id, n.seq); !s.ok()) {
        spdlog::error("reservations: notified mark of {} not moved: {}", id, s.message());
        return;
      }
    }
    if (static_cast<int>(notices->size()) < kBatch) return;
  }
}

}  // namespace sfapid
