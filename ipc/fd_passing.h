// Passing file descriptors over a unix socket (SCM_RIGHTS), as the thin qmail-scanner-queue
// client does with its fd 0 and fd 1, and the supervisor with a memfd for clamd FILDES.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/shared_memory.h"

namespace qscan::ipc {

inline constexpr std::size_t kMaxPassedFds = 8;

// Sends `data` (non-empty) with `fds` attached in one sendmsg. False on error or short send.
bool send_with_fds(int sock, std::string_view data, std::span<const int> fds, std::string* error);

// Receives up to `max_bytes` with any attached fds (close-on-exec). Returns the byte
// count (0 = peer closed), or -1 on error. More fds than kMaxPassedFds, or truncated
// control data, is an error (and whatever arrived is closed).
long recv_with_fds(int sock, std::string& data, std::size_t max_bytes, std::vector<UniqueFd>& fds,
                   std::string* error);

}  // namespace qscan::ipc
