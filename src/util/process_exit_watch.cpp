#include "util/process_exit_watch.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <cstdint>

namespace sfapid {

ProcessExitWatch::ProcessExitWatch(std::function<void()> on_exit)
    : on_exit_(std::move(on_exit)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (epoll_.valid() && stop_.valid()) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = stop_.get();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, stop_.get(), &ev);
  }
}

ProcessExitWatch::~ProcessExitWatch() { Stop(); }

void ProcessExitWatch::Start() {
  if (!epoll_.valid() || !stop_.valid() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void ProcessExitWatch::Stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

void ProcessExitWatch::Add(pid_t pid) {
  if (!epoll_.valid() || pid <= 0) return;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) return;
  std::lock_guard lock(mu_);
  epoll_event ev{};
  ev.events = EPOLLIN;  // a pidfd is readable once its process ended
  ev.data.fd = pidfd.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, pidfd.get(), &ev) != 0) return;
  const int fd = pidfd.get();
  watched_.emplace(fd, std::move(pidfd));
}

void ProcessExitWatch::Loop() {
  epoll_event ready[16];
  for (;;) {
    const int n = ::epoll_wait(epoll_.get(), ready, 16, -1);
    bool ended = false;
    for (int i = 0; i < n; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == stop_.get()) return;
      std::lock_guard lock(mu_);
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
      watched_.erase(fd);
      ended = true;
    }
    if (ended) on_exit_();
  }
}

}  // namespace sfapid
