// Deadline-bounded I/O on an already connected stream socket, for code that runs inside a
// confined worker: only sendmsg, recvmsg and poll are used (no fcntl, no threads, no
// signals: MSG_DONTWAIT | MSG_NOSIGNAL on every call).
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>

namespace qscan::daemons {

// A point in time after which I/O gives up.
class Deadline {
 public:
  explicit Deadline(int timeout_ms);
  // Milliseconds left, 0 once expired (suitable for poll()).
  int remaining_ms() const;
  bool expired() const { return remaining_ms() == 0; }

 private:
  std::chrono::steady_clock::time_point end_;
};

enum class IoStatus {
  kOk,
  kTimeout,
  kClosed,   // the peer closed or reset the connection (EPIPE, ECONNRESET) while we sent
  kTooLong,  // read: more than max_bytes arrived
  kError,    // any other errno
};

// Sends every byte of `iov`, handling partial writes. With pass_fd >= 0 the descriptor
// is attached (SCM_RIGHTS) to the first sendmsg, which then carries at least one byte.
IoStatus send_all(int sock_fd, std::span<const iovec> iov, int pass_fd, const Deadline& deadline,
                  std::string* error);

// Convenience: one contiguous buffer.
IoStatus send_bytes(int sock_fd, std::string_view bytes, const Deadline& deadline,
                    std::string* error);

// Appends everything the peer sends until it closes its side. Reading stops with kTooLong
// as soon as `out` would exceed `max_bytes` (out then holds max_bytes + 1 bytes at most).
// Descriptors a peer might attach are never installed (no control buffer is offered).
IoStatus read_until_eof(int sock_fd, std::size_t max_bytes, const Deadline& deadline,
                        std::string& out, std::string* error);

}  // namespace qscan::daemons
