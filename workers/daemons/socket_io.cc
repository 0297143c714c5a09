#include "workers/daemons/socket_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace qscan::daemons {
namespace {

void set_errno_error(std::string* error, const char* what, int err) {
  if (error) *error = std::string(what) + ": " + std::strerror(err);
}

// Waits for `events` on fd; false on timeout or poll failure (error set).
IoStatus wait_for(int fd, short events, const Deadline& deadline, std::string* error) {
  for (;;) {
    int ms = deadline.remaining_ms();
    if (ms == 0) {
      if (error) *error = "timed out";
      return IoStatus::kTimeout;
    }
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms);
    if (r > 0) return IoStatus::kOk;  // readiness or HUP/ERR: the next call reports it
    if (r == 0) continue;             // loop re-checks the deadline
    if (errno == EINTR) continue;
    set_errno_error(error, "poll", errno);
    return IoStatus::kError;
  }
}

}  // namespace

Deadline::Deadline(int timeout_ms)
    : end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}

int Deadline::remaining_ms() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end_ - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  // Round a sub-millisecond remainder up so poll() does not spin with 0.
  return left.count() > 0x3fffffff ? 0x3fffffff : static_cast<int>(left.count()) + 1;
}

IoStatus send_all(int sock_fd, std::span<const iovec> iov_in, int pass_fd, const Deadline& deadline,
                  std::string* error) {
  std::vector<iovec> iov;
  for (const iovec& v : iov_in) {
    if (v.iov_len > 0) iov.push_back(v);
  }
  std::size_t first = 0;
  bool fd_pending = pass_fd >= 0;
  if (fd_pending && iov.empty()) {
    if (error) *error = "descriptor passing needs at least one byte";
    return IoStatus::kError;
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  while (first < iov.size()) {
    msghdr msg{};
    msg.msg_iov = iov.data() + first;
    msg.msg_iovlen = iov.size() - first;
    if (fd_pending) {
      std::memset(control, 0, sizeof control);
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    ssize_t n = ::sendmsg(sock_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        IoStatus s = wait_for(sock_fd, POLLOUT, deadline, error);
        if (s != IoStatus::kOk) return s;
        continue;
      }
      set_errno_error(error, "send", err);
      return (err == EPIPE || err == ECONNRESET) ? IoStatus::kClosed : IoStatus::kError;
    }
    fd_pending = false;  // the descriptor went with the first byte(s)
    auto left = static_cast<std::size_t>(n);
    while (first < iov.size() && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < iov.size()) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return IoStatus::kOk;
}

IoStatus send_bytes(int sock_fd, std::string_view bytes, const Deadline& deadline,
                    std::string* error) {
  iovec v{const_cast<char*>(bytes.data()), bytes.size()};
  return send_all(sock_fd, std::span<const iovec>(&v, 1), -1, deadline, error);
}

IoStatus read_until_eof(int sock_fd, std::size_t max_bytes, const Deadline& deadline,
                        std::string& out, std::string* error) {
  char buf[16384];
  for (;;) {
    std::size_t room = max_bytes + 1 - std::min(out.size(), max_bytes + 1);
    iovec v{buf, std::min(sizeof buf, room)};
    msghdr msg{};
    msg.msg_iov = &v;
    msg.msg_iovlen = 1;
    ssize_t n = ::recvmsg(sock_fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        IoStatus s = wait_for(sock_fd, POLLIN, deadline, error);
        if (s != IoStatus::kOk) return s;
        continue;
      }
      set_errno_error(error, "receive", err);
      return err == ECONNRESET ? IoStatus::kClosed : IoStatus::kError;
    }
    if (n == 0) return IoStatus::kOk;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      if (error) *error = "reply exceeds " + std::to_string(max_bytes) + " bytes";
      return IoStatus::kTooLong;
    }
  }
}

}  // namespace qscan::daemons
