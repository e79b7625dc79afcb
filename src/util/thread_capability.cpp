#include "util/thread_capability.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sfapid {

namespace {

struct ThreadCaps {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};  // pid 0: this thread
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};

  bool Read() { return ::syscall(SYS_capget, &header, data) == 0; }
  bool Write() { return ::syscall(SYS_capset, &header, data) == 0; }
  static unsigned Word(int cap) { return static_cast<unsigned>(cap) / 32; }
  static unsigned Bit(int cap) { return 1u << (static_cast<unsigned>(cap) % 32); }
  bool Effective(int cap) const { return data[Word(cap)].effective & Bit(cap); }
  void SetEffective(int cap, bool on) {
    if (on)
      data[Word(cap)].effective |= Bit(cap);
    else
      data[Word(cap)].effective &= ~Bit(cap);
  }
};

}  // namespace

bool WithoutCapability::InEffect(int capability) {
  ThreadCaps caps;
  return caps.Read() && caps.Effective(capability);
}

WithoutCapability::WithoutCapability(int capability) : capability_(capability) {
  ThreadCaps caps;
  if (!caps.Read() || !caps.Effective(capability_)) return;
  caps.SetEffective(capability_, false);  // it stays permitted, so it can be raised again
  lowered_ = caps.Write();
}

WithoutCapability::~WithoutCapability() {
  if (!lowered_) return;
  ThreadCaps caps;
  if (!caps.Read()) return;
  caps.SetEffective(capability_, true);
  (void)caps.Write();
}

}  // namespace sfapid
