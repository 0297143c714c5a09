#include "supervisor/daemon_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace qscan::supervisor {

ipc::UniqueFd listen_unix(const std::string& path, std::string* error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    if (error) *error = "daemon_socket path too long: " + path;
    return {};
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  ipc::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return {};
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  const mode_t old = ::umask(0117);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::chmod(path.c_str(), 0660) != 0 || ::listen(fd.get(), 128) != 0) {
    if (error) *error = "bind/listen " + path + ": " + std::strerror(errno);
    return {};
  }
  return fd;
}

bool peer_allowed(int conn, const std::vector<std::int64_t>& allowed, uid_t* peer_uid) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  if (peer_uid) *peer_uid = cred.uid;
  if (allowed.empty()) return true;
  return std::find(allowed.begin(), allowed.end(), static_cast<std::int64_t>(cred.uid)) !=
         allowed.end();
}

}  // namespace qscan::supervisor
