// Lowering one capability for the calling thread alone while a piece of work runs. Linux keeps
// capabilities per thread (capset(2) on pid 0 touches only the caller), so a root server thread
// can write a user's upload without CAP_SYS_RESOURCE: the kernel then holds the bytes to the
// owner's quota and leaves the filesystem's reserved blocks alone, as if the user wrote them.
#pragma once

namespace sfapid {

class WithoutCapability {
 public:
  // `capability` is a CAP_* number; nothing happens when the thread does not have it in effect.
  explicit WithoutCapability(int capability);
  ~WithoutCapability();
  WithoutCapability(const WithoutCapability&) = delete;
  WithoutCapability& operator=(const WithoutCapability&) = delete;

  // Whether the calling thread has `capability` in its effective set now.
  static bool InEffect(int capability);

 private:
  int capability_;
  bool lowered_ = false;
};

}  // namespace sfapid
