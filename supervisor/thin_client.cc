#include "supervisor/thin_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ipc/daemon_protocol.h"
#include "ipc/fd_passing.h"
#include "supervisor/exit_codes.h"

namespace qscan::supervisor {

std::optional<ThinClientResult> run_thin_client(const std::string& socket_path,
                                                std::string* error) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) {
    if (error) *error = "daemon_socket path too long";
    return std::nullopt;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ipc::UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    if (error) *error = "connect " + socket_path + ": " + std::strerror(e);
    // A full listen backlog means qscand is alive but saturated: defer, do not add a
    // standalone scan on top of its load.
    if (e == EAGAIN) return ThinClientResult{exit_code::kTemporaryReject, {}};
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> env;
  for (const std::string& name : ipc::forwarded_environment()) {
    if (const char* v = std::getenv(name.c_str())) env.emplace_back(name, v);
  }
  const int fds[] = {0, 1};
  if (!ipc::send_with_fds(sock.get(), ipc::encode_request(env), fds, error))
    return ThinClientResult{exit_code::kTemporaryReject, {}};
  // The reply is small; read to EOF so a partial reply is never taken for a whole one.
  std::string reply;
  char buf[ipc::kMaxReplyBytes];
  for (;;) {
    ssize_t n = ::read(sock.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > ipc::kMaxReplyBytes) break;
  }
  auto r = ipc::decode_reply(reply);
  if (!r) {
    if (error)
      *error = reply.empty() ? "qscand closed the connection without an answer"
                             : "malformed reply from qscand";
    return ThinClientResult{exit_code::kTemporaryReject, {}};
  }
  return ThinClientResult{r->exit_code, r->custom_text};
}

}  // namespace qscan::supervisor
