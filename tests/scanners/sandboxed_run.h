// Test helper: runs a worker function in a forked child confined by a seccomp filter that
// allows only what a daemon client worker needs (sendmsg, recvmsg, poll/ppoll, memory
// management, clock, exit) with default action KILL_PROCESS, writing into a shared
// arena. Proves the client code stays inside that set.
#pragma once

#include <functional>
#include <string>

#include "ipc/arena_writer.h"
#include "ipc/records.h"

namespace qscan::testing {

struct SandboxedOutcome {
  bool exited_cleanly = false;  // exit status 0, not killed (SIGSYS = forbidden syscall)
  std::string status;           // "exit 0", "killed by signal 31", ...
  ipc::DecodedArena arena;      // valid when exited_cleanly
  std::string decode_error;
};

// The syscall names the filter allows.
const std::vector<std::string>& daemon_client_syscalls();

SandboxedOutcome run_sandboxed(const std::function<void(ipc::ArenaWriter&)>& job);

}  // namespace qscan::testing
