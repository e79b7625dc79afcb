#include "backends/scheduler/local_scheduler.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sfapid {

Status LocalScheduler::Health() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(spool_dir_, ec)) fs::create_directories(spool_dir_, ec);
  if (ec)
    return Status::Unavailable("cannot create spool folder " + spool_dir_ + ": " + ec.message());
  if (!fs::is_directory(spool_dir_, ec))
    return Status::Unavailable("spool path " + spool_dir_ + " is not a folder");
  // A job's state is written to the spool: prove that a file can be created there now.
  const std::string probe = spool_dir_ + "/.health";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::Unavailable("cannot write in spool folder " + spool_dir_ + ": " +
                               std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return Status::Ok();
}

}  // namespace sfapid
