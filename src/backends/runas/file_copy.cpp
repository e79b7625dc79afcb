#include "backends/runas/file_copy.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

namespace sfapid::fileops {

namespace {

// The temporary file, for the SIGTERM handler (a cancelled copy leaves nothing behind).
char g_temp_path[4096];

void RemoveTempAndExit(int) {
  if (g_temp_path[0]) ::unlink(g_temp_path);
  ::_exit(143);
}

Status Errno(const std::string& what) {
  return Status::Unavailable(what + ": " + std::strerror(errno));
}

}  // namespace

Status CopyFile(const std::string& source, const std::string& target_in,
                const std::function<void(int64_t)>& on_progress) {
  // Non-blocking so that a FIFO cannot hang the copy; cleared below once it is a regular file.
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (in < 0) return Errno("cannot open " + source);
  struct stat st;
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    return Status::InvalidArgument(source + " is not a regular file");
  }
  ::fcntl(in, F_SETFL, ::fcntl(in, F_GETFL) & ~O_NONBLOCK);
  std::string target = target_in;
  struct stat tst;
  if (target.back() == '/' || (::stat(target.c_str(), &tst) == 0 && S_ISDIR(tst.st_mode)))
    target = (target.back() == '/' ? target : target + "/") +
             std::filesystem::path(source).filename().string();
  const std::filesystem::path parent = std::filesystem::path(target).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    ::close(in);
    return Status::PermissionDenied("cannot create " + parent.string() + ": " + ec.message());
  }
  std::string temp =
      parent.string() + "/." + std::filesystem::path(target).filename().string() + ".sfapid-XXXXXX";
  struct sigaction sa {};
  sa.sa_handler = RemoveTempAndExit;
  ::sigaction(SIGTERM, &sa, nullptr);
  const int out = ::mkstemp(temp.data());
  if (out < 0) {
    ::close(in);
    return Errno("cannot write in " + parent.string());
  }
  std::strncpy(g_temp_path, temp.c_str(), sizeof g_temp_path - 1);
  auto fail = [&](Status s) {
    ::close(in);
    ::close(out);
    ::unlink(temp.c_str());
    g_temp_path[0] = 0;
    return s;
  };
  int64_t done = 0;
  // The whole rest of the file per call, as cp does: the kernel copies fastest that way. Progress
  // comes from a thread that watches the target grow.
  ::posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::atomic<bool> copying{true};
  std::thread reporter([&] {
    while (copying) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      struct stat now;
      if (copying && ::fstat(out, &now) == 0 && now.st_size > 0) on_progress(now.st_size);
    }
  });
  bool in_kernel = true;
  std::string buf;
  while (done < st.st_size) {
    ssize_t n;
    if (in_kernel) {
      n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(st.st_size - done), 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        in_kernel = false;  // another file system or kernel: copy through user space
        continue;
      }
    } else {
      buf.resize(1 << 20);
      n = ::read(in, buf.data(), buf.size());
      if (n > 0 && ::write(out, buf.data(), static_cast<size_t>(n)) != n) n = -1;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // an error (below), or the source shrank meanwhile
    done += n;
  }
  const int copy_errno = errno;
  copying = false;
  reporter.join();
  if (done < st.st_size && copy_errno != 0) {
    errno = copy_errno;
    return fail(Errno("copy to " + target));
  }
  on_progress(done);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::fchmod(out, st.st_mode & 07777) != 0 || ::futimens(out, times) != 0)
    return fail(Errno("cannot set mode or times of " + target));
  if (::rename(temp.c_str(), target.c_str()) != 0)
    return fail(Errno("cannot rename into " + target));
  g_temp_path[0] = 0;
  ::close(in);
  ::close(out);
  return Status::Ok();
}

}  // namespace sfapid::fileops
