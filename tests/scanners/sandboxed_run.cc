#include "tests/scanners/sandboxed_run.h"

#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <span>

#include "ipc/arena_reader.h"

namespace qscan::testing {
namespace {

constexpr std::size_t kArenaSize = 1 << 20;

bool install_filter() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
  if (ctx == nullptr) return false;
  bool ok = true;
  for (const std::string& name : daemon_client_syscalls()) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) ok = false;
  }
  ok = ok && seccomp_load(ctx) == 0;
  seccomp_release(ctx);
  return ok;
}

}  // namespace

const std::vector<std::string>& daemon_client_syscalls() {
  static const std::vector<std::string> k = {
    "sendmsg",
    "recvmsg",
    "poll",
    "ppoll",
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "madvise",
    "clock_gettime",
    "exit_group",
    "exit",
    "rt_sigreturn"
#if defined(__SANITIZE_ADDRESS__)
    // The ASan/UBSan runtime's own needs (sanitizer builds only).
    ,
    "sigaltstack",
    "getpid",
    "gettid",
    "sched_yield",
    "rt_sigprocmask",
    "write"
#endif
  };
  return k;
}

SandboxedOutcome run_sandboxed(const std::function<void(ipc::ArenaWriter&)>& job) {
  SandboxedOutcome out;
  void* mem =
      ::mmap(nullptr, kArenaSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    out.status = "mmap failed";
    return out;
  }
  std::span<std::byte> region(static_cast<std::byte*>(mem), kArenaSize);
  pid_t pid = ::fork();
  if (pid == 0) {
    ipc::ArenaWriter writer(region);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !install_filter()) ::_exit(120);
    job(writer);
    writer.finish();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    out.status = "exit " + std::to_string(WEXITSTATUS(status));
    out.exited_cleanly = WEXITSTATUS(status) == 0;
  } else if (WIFSIGNALED(status)) {
    out.status = "killed by signal " + std::to_string(WTERMSIG(status));
  }
  if (out.exited_cleanly)
    out.decode_error = ipc::decode_records(ipc::read_arena(region, {}), {}, out.arena);
  // The decoded strings are copies; spans (none used by these records) would dangle.
  ::munmap(mem, kArenaSize);
  return out;
}

}  // namespace qscan::testing
