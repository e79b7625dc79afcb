#include "core/web/sign_in_gate.h"

namespace sfapid {

SignInGate::Ticket SignInGate::Enter(const std::string& ip) {
  std::lock_guard lock(mu_);
  int& mine = by_address_[ip];
  if (mine >= per_address_ || total_ >= in_all_) {
    if (mine == 0) by_address_.erase(ip);
    return Ticket();
  }
  ++mine;
  ++total_;
  return Ticket(this, ip);
}

void SignInGate::Release(const std::string& ip) {
  std::lock_guard lock(mu_);
  --total_;
  if (auto it = by_address_.find(ip); it != by_address_.end() && --it->second <= 0)
    by_address_.erase(it);
}

}  // namespace sfapid
