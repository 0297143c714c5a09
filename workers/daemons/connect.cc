#include "workers/daemons/connect.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "workers/daemons/socket_io.h"

namespace qscan::daemons {
namespace {

constexpr std::string_view kTcpPrefix = "tcp:";
constexpr std::string_view kUnixPrefix = "unix:";

bool fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

// Completes a non-blocking connect: "" on success, else the reason.
std::string finish_connect(int fd, const sockaddr* sa, socklen_t len, const Deadline& deadline) {
  if (::connect(fd, sa, len) == 0) return {};
  if (errno != EINPROGRESS && errno != EINTR) return std::strerror(errno);
  for (;;) {
    int ms = deadline.remaining_ms();
    if (ms == 0) return "connect timed out";
    pollfd p{fd, POLLOUT, 0};
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return std::string("poll: ") + std::strerror(errno);
    if (r == 0) continue;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) return std::strerror(errno);
    return soerr == 0 ? std::string() : std::string(std::strerror(soerr));
  }
}

ipc::UniqueFd make_blocking(ipc::UniqueFd fd, std::string* error) {
  int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) {
    fail(error, std::string("fcntl: ") + std::strerror(errno));
    return {};
  }
  return fd;
}

ipc::UniqueFd connect_unix(const DaemonAddress& a, const std::string& address,
                           const Deadline& deadline, std::string* error) {
  ipc::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    fail(error, "socket: " + std::string(std::strerror(errno)));
    return {};
  }
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, a.path.data(), a.path.size());
  std::string why =
      finish_connect(fd.get(), reinterpret_cast<const sockaddr*>(&sun), sizeof sun, deadline);
  if (!why.empty()) {
    fail(error, "connect " + address + ": " + why);
    return {};
  }
  return make_blocking(std::move(fd), error);
}

ipc::UniqueFd connect_tcp(const DaemonAddress& a, const std::string& address,
                          const Deadline& deadline, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &res);
  if (gai != 0) {
    fail(error, "resolve " + address + ": " + ::gai_strerror(gai));
    return {};
  }
  std::string why = "no address";
  ipc::UniqueFd out;
  for (addrinfo* ai = res; ai != nullptr && !out; ai = ai->ai_next) {
    ipc::UniqueFd fd(
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      why = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    why = finish_connect(fd.get(), ai->ai_addr, ai->ai_addrlen, deadline);
    if (why.empty()) out = std::move(fd);
    if (deadline.expired()) break;
  }
  ::freeaddrinfo(res);
  if (!out) {
    fail(error, "connect " + address + ": " + why);
    return {};
  }
  return make_blocking(std::move(out), error);
}

}  // namespace

bool is_unix_address(std::string_view address) { return !address.starts_with(kTcpPrefix); }

bool parse_daemon_address(std::string_view address, DaemonAddress& out, std::string* error) {
  out = DaemonAddress{};
  if (!address.starts_with(kTcpPrefix)) {
    std::string_view path = address;
    if (path.starts_with(kUnixPrefix)) path.remove_prefix(kUnixPrefix.size());
    if (path.empty()) return fail(error, "empty unix socket path");
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
      return fail(error, "unix socket path too long: " + std::string(path));
    if (path.find('\0') != std::string_view::npos) return fail(error, "NUL in socket path");
    out.is_unix = true;
    out.path = std::string(path);
    return true;
  }
  std::string_view rest = address.substr(kTcpPrefix.size());
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail(error, "tcp address needs host:port: " + std::string(address));
  std::string_view host = rest.substr(0, colon);
  std::string_view port = rest.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return fail(error, "bad bracketed host: " + std::string(address));
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return fail(error, "IPv6 hosts need brackets: " + std::string(address));
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535)
    return fail(error, "bad tcp port: " + std::string(address));
  out.is_unix = false;
  out.host = std::string(host);
  out.port = std::string(port);
  return true;
}

ipc::UniqueFd connect_daemon(const std::string& address, int timeout_ms, std::string* error) {
  DaemonAddress a;
  if (!parse_daemon_address(address, a, error)) return {};
  Deadline deadline(timeout_ms);
  return a.is_unix ? connect_unix(a, address, deadline, error)
                   : connect_tcp(a, address, deadline, error);
}

}  // namespace qscan::daemons
