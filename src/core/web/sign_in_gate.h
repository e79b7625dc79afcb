// At most a few first-factor checks at once per source address, and a bound in all. PAM answers a
// wrong password only after a delay (about 2 s with pam_unix) and the lockout counts failures
// when it has answered: without this gate a burst of parallel guesses would outrun the lockout
// and hold every blocking thread. In this process's memory: each node guards its own threads.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace sfapid {

class SignInGate {
 public:
  SignInGate(int per_address, int in_all) : per_address_(per_address), in_all_(in_all) {}

  // A place for one check, given back when it goes out of scope; empty (false) when full.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(SignInGate* gate, std::string ip) : gate_(gate), ip_(std::move(ip)) {}
    Ticket(Ticket&& o) noexcept : gate_(o.gate_), ip_(std::move(o.ip_)) { o.gate_ = nullptr; }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() {
      if (gate_) gate_->Release(ip_);
    }
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    SignInGate* gate_ = nullptr;
    std::string ip_;
  };

  Ticket Enter(const std::string& ip);

 private:
  void Release(const std::string& ip);
  const int per_address_;
  const int in_all_;
  std::mutex mu_;
  std::map<std::string, int> by_address_;
  int total_ = 0;
};

}  // namespace sfapid
