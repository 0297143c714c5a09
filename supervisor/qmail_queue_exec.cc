#include "supervisor/qmail_queue_exec.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "supervisor/exit_codes.h"

namespace qscan::supervisor {
namespace {

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t w = ::write(fd, s.data(), s.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(w));
  }
  return true;
}

}  // namespace

QueueResult run_qmail_queue(const std::string& program,
                            const std::vector<std::string_view>& message,
                            std::string_view envelope) {
  QueueResult r;
  int msg[2], env[2], exec_status[2];
  if (::pipe2(msg, O_CLOEXEC) != 0) return {exit_code::kInternalBug, "pipe failed"};
  if (::pipe2(env, O_CLOEXEC) != 0) {
    ::close(msg[0]);
    ::close(msg[1]);
    return {exit_code::kInternalBug, "pipe failed"};
  }
  if (::pipe2(exec_status, O_CLOEXEC) != 0) {
    for (int fd : {msg[0], msg[1], env[0], env[1]}) ::close(fd);
    return {exit_code::kInternalBug, "pipe failed"};
  }
  ::signal(SIGPIPE, SIG_IGN);
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {msg[0], msg[1], env[0], env[1], exec_status[0], exec_status[1]}) ::close(fd);
    return {exit_code::kInternalBug, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    // qmail-queue gets fd 0 and 1 only: in particular no fd 4 or 6 (custom-error texts)
    // may stay open in a process that could outlive us.
    if (::dup2(msg[0], 0) < 0 || ::dup2(env[0], 1) < 0) ::_exit(120);
    int status_fd = exec_status[1];
    ::fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    // Every other descriptor closes at exec (the status pipe too, which is how the parent
    // learns that exec worked); one syscall, and no upper bound to miss.
    ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
    ::signal(SIGPIPE, SIG_DFL);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    ::execv(program.c_str(), argv);
    int e = errno;
    ssize_t w = ::write(status_fd, &e, sizeof e);
    (void)w;
    ::_exit(120);
  }
  ::close(msg[0]);
  ::close(env[0]);
  ::close(exec_status[1]);
  bool wrote = true;
  for (std::string_view piece : message) {
    if (!write_all(msg[1], piece)) {
      wrote = false;
      break;
    }
  }
  ::close(msg[1]);
  if (wrote) wrote = write_all(env[1], envelope);
  ::close(env[1]);
  int exec_errno = 0;
  bool exec_failed = ::read(exec_status[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  ::close(exec_status[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    return {exit_code::kInternalBug, "cannot run " + program + ": " + std::strerror(exec_errno)};
  }
  if (WIFSIGNALED(status)) {
    return {exit_code::kInternalBug,
            program + " killed by signal " + std::to_string(WTERMSIG(status))};
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : exit_code::kInternalBug;
  if (r.exit_code == 0 && !wrote) {
    // It claimed success without reading everything we had: never trust that.
    return {exit_code::kInternalBug, program + " exited 0 before reading the whole message"};
  }
  if (r.exit_code != 0) r.error = program + " exited " + std::to_string(r.exit_code);
  return r;
}

}  // namespace qscan::supervisor
