#include "supervisor/maildir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "supervisor/host_name.h"

namespace qscan::supervisor {
namespace {

bool fail(std::string* error, const std::string& what) {
  if (error) *error = what + ": " + std::strerror(errno);
  return false;
}

bool make_dir(const std::string& p, std::string* error) {
  if (::mkdir(p.c_str(), 0700) == 0 || errno == EEXIST) return true;
  return fail(error, "mkdir " + p);
}

bool fsync_dir(const std::string& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool ensure_maildir(const std::string& dir, std::string* error) {
  return make_dir(dir, error) && make_dir(dir + "/tmp", error) && make_dir(dir + "/new", error) &&
         make_dir(dir + "/cur", error);
}

std::string maildir_unique_name() {
  static std::atomic<unsigned> counter{0};
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  std::string host = host_name();
  // '/' and ':' are not allowed in a Maildir name (':' starts the info part).
  for (char& c : host) {
    if (c == '/' || c == ':') c = '_';
  }
  return std::to_string(tv.tv_sec) + "." + std::to_string(tv.tv_usec) + "P" +
         std::to_string(::getpid()) + "Q" + std::to_string(counter++) + "." + host;
}

bool maildir_deliver(const std::string& dir, const std::vector<std::string_view>& pieces,
                     std::string* name, std::string* error) {
  const std::string unique = maildir_unique_name();
  const std::string tmp = dir + "/tmp/" + unique;
  const std::string dst = dir + "/new/" + unique;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(error, "create " + tmp);
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      ssize_t w = ::write(fd, piece.data(), piece.size());
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        fail(error, "write " + tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
      }
      piece.remove_prefix(static_cast<std::size_t>(w));
    }
  }
  if (::fsync(fd) != 0) {
    fail(error, "fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::close(fd) != 0) {
    fail(error, "close " + tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    fail(error, "rename into " + dir + "/new");
    ::unlink(tmp.c_str());
    return false;
  }
  if (!fsync_dir(dir + "/new")) {
    // Not durable, so not done: take the file back out, or the caller would defer a
    // message that is also in new/ (quarantined twice when the sender retries).
    fail(error, "fsync " + dir + "/new");
    ::unlink(dst.c_str());
    return false;
  }
  if (name) *name = unique;
  return true;
}

}  // namespace qscan::supervisor
