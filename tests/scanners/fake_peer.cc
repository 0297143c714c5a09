#include "tests/scanners/fake_peer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace qscan::testing {

FakePeer::FakePeer(std::string reply, RequestDone request_done, bool hold_open) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
    client_.reset(sv[0]);
    server_.reset(sv[1]);
  }
  thread_ =
      std::thread(&FakePeer::serve, this, std::move(reply), std::move(request_done), hold_open);
}

FakePeer::~FakePeer() { join(); }

void FakePeer::join() {
  client_.reset();  // the client is done; this also unblocks a hold_open server
  if (thread_.joinable()) thread_.join();
}

void FakePeer::serve(std::string reply, RequestDone request_done, bool hold_open) {
  int fd = server_.get();
  char buf[65536];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  while (!request_done(request_)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    iovec v{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &v;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count; ++i) {
          int rfd;
          std::memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof rfd);
          ::close(rfd);
          ++received_fds_;
        }
      }
    }
    request_.append(buf, static_cast<std::size_t>(n));
  }
  if (hold_open) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 30000);  // until the client closes its end
    return;
  }
  std::size_t off = 0;
  while (off < reply.size()) {
    ssize_t n = ::send(fd, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  server_.reset();
}

bool clamd_request_done(const std::string& request) {
  return request.ends_with(std::string_view("zEND\0", 5));
}

bool spamd_request_done(const std::string& request) {
  std::size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::size_t pos = request.find("Content-length: ");
  if (pos == std::string::npos || pos > head_end) return true;
  std::size_t length = std::strtoul(request.c_str() + pos + 16, nullptr, 10);
  return request.size() >= head_end + 4 + length;
}

}  // namespace qscan::testing
