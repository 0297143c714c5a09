#include "supervisor/worker_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "supervisor/test_faults.h"

namespace qscan::supervisor {
namespace {

constexpr char kDoneByte = 'K';

[[noreturn]] void child_main(const WorkerSpec& spec, int result_fd, std::span<std::byte> arena,
                             std::string_view fault,
                             const std::function<void(ipc::ArenaWriter&)>& job) {
  hardening::SandboxOptions opts;
  opts.result_fd = result_fd;
  opts.peer_fd = spec.peer_fd;
  opts.keep_fds = spec.keep_fds;
  opts.enter_namespaces = spec.enter_namespaces;
  if (spec.identity) {
    opts.worker_uid = spec.identity->uid;
    opts.worker_gid = spec.identity->gid;
  }
  opts.address_space_bytes = spec.memory_bytes;
  opts.cpu_seconds = spec.cpu_seconds;
  opts.max_file_size = spec.max_file_size;
  if (!spec.scratch_dir.empty()) opts.scratch_dir = spec.scratch_dir;
  hardening::SandboxStatus status;
  std::string error;
  if (!hardening::enter_sandbox(spec.kind, opts, &status, &error)) ::_exit(3);
  trigger_fault_before_job(fault, spec.scratch_dir);
  ipc::ArenaWriter writer(arena);
  job(writer);
  writer.finish();
  apply_arena_fault(fault, arena);
  ssize_t w;
  do {
    w = ::write(result_fd, &kDoneByte, 1);
  } while (w < 0 && errno == EINTR);
  after_report_fault(fault, arena);
  ::_exit(0);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    std::string s = "killed by signal " + std::to_string(sig) + " (" + sigabbrev_np(sig) + ")";
    if (sig == SIGSYS) s += ": seccomp violation";
    if (sig == SIGXCPU) s += ": CPU time limit";
    if (sig == SIGXFSZ) s += ": file size limit";
    return s;
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

WorkerResult run_worker(const WorkerSpec& spec, std::span<std::byte> arena,
                        const std::function<void(ipc::ArenaWriter&)>& job) {
  WorkerResult result;
  const auto start = std::chrono::steady_clock::now();
  const std::string_view fault = test_fault_for(spec.kind);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.failure = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    result.failure = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(spec, fds[1], arena, fault, job);
  }
  ::close(fds[1]);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));

  // Wait for the completion byte and the exit, whichever order they come in, within the
  // deadline. Without a pidfd (old kernel) the pipe's EOF marks the child's exit.
  const auto deadline = start + std::chrono::milliseconds(spec.timeout_ms);
  bool done_byte = false, pipe_eof = false, exited = false, timed_out = false;
  while (!exited && !(pidfd < 0 && pipe_eof)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    // Once the pipe said all it will (the byte, or EOF), stop watching it: a hung-up pipe
    // polls readable forever and would spin this loop while the worker's exit completes.
    const bool watch_pipe = !pipe_eof && (!done_byte || pidfd < 0);
    pollfd pfds[2] = {{watch_pipe ? fds[0] : -1, POLLIN, 0}, {pidfd, POLLIN, 0}};
    int n = ::poll(pfds, pidfd >= 0 ? 2 : 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (watch_pipe && (pfds[0].revents & (POLLIN | POLLHUP))) {
      char b;
      ssize_t r = ::read(fds[0], &b, 1);
      if (r == 1 && b == kDoneByte) done_byte = true;
      if (r == 0) pipe_eof = true;
    }
    if (pidfd >= 0 && (pfds[1].revents & POLLIN)) exited = true;
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (pidfd >= 0) ::close(pidfd);
  // A byte written just before exit may still be unread.
  if (!done_byte && !timed_out) {
    char b;
    if (::read(fds[0], &b, 1) == 1 && b == kDoneByte) done_byte = true;
  }
  ::close(fds[0]);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.max_rss_kb = ru.ru_maxrss;
  if (timed_out) {
    result.failure = "timed out after " + std::to_string(spec.timeout_ms) + " ms";
  } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    result.failure = describe_status(status);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) result.failure += " (sandbox setup failed)";
  } else if (!done_byte) {
    result.failure = "exited without reporting completion";
  } else {
    result.ok = true;
  }
  return result;
}

}  // namespace qscan::supervisor
