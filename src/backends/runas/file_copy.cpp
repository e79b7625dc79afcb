#include "backends/runas/file_copy.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "backends/runas/held_name.h"

namespace sfapid::fileops {

namespace {

// The temporary file, for the SIGTERM handler (a cancelled copy leaves nothing behind): its name
// in the held target folder.
char g_temp_name[NAME_MAX + 1];
int g_temp_folder = -1;

void RemoveTempAndExit(int) {
  if (g_temp_name[0]) ::unlinkat(g_temp_folder, g_temp_name, 0);
  ::_exit(143);
}

std::string FileName(const std::string& path) {
  std::string s = path;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.substr(s.find_last_of('/') + 1);
}

std::string FolderOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Where the copy goes: the held folder and the file's name in it. A target that is a folder
// (existing, or ending in "/") takes the source's name; missing folders on the way are made.
Result<HeldName> HoldTarget(const std::string& source, const std::string& target,
                            const std::vector<std::string>& roots) {
  bool into_folder = target.back() == '/';
  if (!into_folder) {
    auto held = HoldName(target, roots);
    struct stat st;
    into_folder = held && ::fstatat(held->folder.get(), held->name.c_str(), &st, 0) == 0 &&
                  S_ISDIR(st.st_mode);
  }
  const std::string folder = into_folder ? target : FolderOf(target);
  auto at = HoldFolderMaking(folder, roots);
  if (!at) return at.status();
  const std::string name = FileName(into_folder ? source : target);
  return HeldName{std::move(*at), name, folder + (folder.back() == '/' ? "" : "/") + name};
}

Status Errno(const std::string& what) {
  return Status::Unavailable(what + ": " + std::strerror(errno));
}

}  // namespace

Status CopyFile(const std::string& source, const std::vector<std::string>& source_roots,
                const std::string& target_in, const std::vector<std::string>& target_roots,
                const std::function<void(int64_t)>& on_progress) {
  // Non-blocking so that a FIFO cannot hang the copy; cleared below once it is a regular file.
  int err = 0;
  auto from = HoldName(source, source_roots, &err);
  Result<UniqueFd> opened =
      from ? OpenFollowing(*from, O_RDONLY | O_NOCTTY | O_NONBLOCK, source_roots, &err)
           : Result<UniqueFd>(from.status());
  if (!opened && err)
    return Status::Unavailable("cannot open " + source + ": " + std::strerror(err));
  if (!opened) return opened.status();
  const int in = opened->get();
  struct stat st;
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode))
    return Status::InvalidArgument(source + " is not a regular file");
  ::fcntl(in, F_SETFL, ::fcntl(in, F_GETFL) & ~O_NONBLOCK);
  auto to = HoldTarget(source, target_in, target_roots);
  if (!to) return to.status();
  const std::string& target = to->real;
  const int folder = to->folder.get();
  struct sigaction sa {};
  sa.sa_handler = RemoveTempAndExit;
  ::sigaction(SIGTERM, &sa, nullptr);
  std::string temp;
  g_temp_folder = folder;
  const UniqueFd made = MakeTempBeside(*to, ".sfapid-", temp);
  if (!made.valid()) return Errno("cannot write in " + FolderOf(target));
  std::strncpy(g_temp_name, temp.c_str(), sizeof g_temp_name - 1);
  const int out = made.get();
  auto fail = [&](Status s) {
    ::unlinkat(folder, temp.c_str(), 0);
    g_temp_name[0] = 0;
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
  if (::renameat(folder, temp.c_str(), folder, to->name.c_str()) != 0)
    return fail(Errno("cannot rename into " + target));
  g_temp_name[0] = 0;
  return Status::Ok();
}

}  // namespace sfapid::fileops
