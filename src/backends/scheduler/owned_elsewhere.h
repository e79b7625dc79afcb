// A system whose local scheduler runs on another sfapid node of the same store
// (domain/scheduler_owners.h): every job and reservation operation through this node is refused
// with a message naming the node that runs it, and nothing is started here. The system's health
// is the owner's to probe: this node reports it as its status settings say.
#pragma once

#include <string>

#include "backends/scheduler/scheduler.h"

namespace sfapid {

class OwnedElsewhereScheduler : public Scheduler {
 public:
  OwnedElsewhereScheduler(std::string system, std::string owner, std::string this_node);

  std::string backend_name() const override { return "local"; }
  Status Health() override { return Status::Ok(); }
  void SetJobEndedHandler(JobEndedHandler) override {}
  void Start() override {}
  void Stop() override {}

  Result<std::string> Submit(const JobScript&) override { return Refusal(); }
  Result<std::vector<SerializedRow>> Query(const JobQuery&) override { return Refusal(); }
  Status Cancel(const UnixIdentity&, const std::string&) override { return Refusal(); }
  Status UpdateJob(const UnixIdentity&, const std::string&, const JobChanges&) override {
    return Refusal();
  }
  Result<std::string> DefaultAccount(const UnixIdentity&) override { return Refusal(); }
  Result<PlacedReservation> CreateReservation(const ReservationSpec&) override { return Refusal(); }
  Result<PlacedReservation> UpdateReservation(const ReservationSpec&) override { return Refusal(); }
  Status DeleteReservation(const std::string&) override { return Refusal(); }
  Result<std::optional<PlacedReservation>> GetReservation(const std::string&) override {
    return Refusal();
  }
  Result<int> ReservableNodes() override { return Refusal(); }

 private:
  Status Refusal() const { return Status::Unavailable(refusal_); }
  const std::string refusal_;
};

}  // namespace sfapid
