// The reservation.changed event: the exact body a callbackUrl receives, and the mail made from it.
#include "core/callbacks/reservation_changed_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

TimePoint At(int64_t s) { return TimePoint{std::chrono::seconds{s}}; }

Reservation Block() {
  Reservation r;
  r.id = 12;
  r.name = "night";
  r.machine = "perlmutter";
  r.account = "proj";
  r.nodes = 2;
  r.node_names = {"nid001", "nid002"};
  r.start = 1'800'000'000;  // 2027-01-15T08:00:00Z
  r.end = r.start + 3600;
  r.state = ReservationState::kActive;
  return r;
}

TEST(ReservationChangedEvent, BodyHasExactlyTheDocumentedFields) {
  const ReservationEvent e{12, 1'799'990'000, "operator:root", "approve", "approved", "ok, go"};
  const std::string body = ReservationChangedBody(Block(), e, 41, "d-1", At(1'800'000'100));
  EXPECT_EQ(boost::json::parse(body),
            boost::json::parse(R"({"event":"reservation.changed","delivery_id":"d-1",
              "sent_at":"2027-01-15T08:01:40+00:00","machine":"perlmutter",
              "reservation_id":"12","name":"night","account":"proj","action":"approve",
              "state":"approved","note":"ok, go","by":"operator:root",
              "at":"2027-01-15T05:13:20+00:00","seq":41,"nodes":2,"node_names":["nid001","nid002"],
              "start":"2027-01-15T08:00:00+00:00","end":"2027-01-15T09:00:00+00:00"})"));
}

TEST(ReservationChangedEvent, MailTellsWhatHappenedWithHeadersThatCannotBeInjected) {
  const ReservationEvent e{12,     1'800'000'000, "scheduler",
                           "fail", "failed",      "Requested nodes are busy"};
  const std::string body = ReservationChangedBody(Block(), e, 42, "d-2", At(1'800'000'000));
  const std::string mail =
      ReservationChangedMail(body, "sfapid@example.org", "alice@example.org\r\nBcc: x@evil", At(0));
  EXPECT_NE(mail.find("Subject: [sfapid] reservation 12 on perlmutter failed\r\n"),
            std::string::npos)
      << mail;
  EXPECT_NE(mail.find("Reservation 12 (night) on perlmutter failed: it is now failed."),
            std::string::npos);
  EXPECT_NE(mail.find("Reason: Requested nodes are busy"), std::string::npos);
  EXPECT_EQ(mail.find("\r\nBcc:"), std::string::npos) << mail;
}

}  // namespace
}  // namespace sfapid
