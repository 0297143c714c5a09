#include "supervisor/qmail_queue_exec.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

// Pipe ends at 3 or above, close-on-exec: dup2 onto 0/1 in the child can then never be a
// no-op that leaves the close-on-exec flag set.
bool high_pipe(int fds[2]) {
  int raw[2];
  if (::pipe2(raw, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    fds[i] = raw[i] >= 3 ? raw[i] : ::fcntl(raw[i], F_DUPFD_CLOEXEC, 3);
    if (raw[i] < 3) ::close(raw[i]);
  }
  if (fds[0] >= 0 && fds[1] >= 0) return true;
  for (int i = 0; i < 2; ++i)
    if (fds[i] >= 0) ::close(fds[i]);
  return false;
}

}  // namespace

QueueResult run_qmail_queue(const std::string& program,
                            const std::vector<std::string_view>& message,
                            std::string_view envelope) {
  QueueResult r;
  int msg[2], env[2];
  if (!high_pipe(msg)) return {exit_code::kInternalBug, "pipe failed"};
  if (!high_pipe(env)) {
    ::close(msg[0]);
    ::close(msg[1]);
    return {exit_code::kInternalBug, "pipe failed"};
  }
  ::signal(SIGPIPE, SIG_IGN);
  // posix_spawn (vfork-style clone) rather than fork: the supervisor maps the whole ClamAV
  // engine and hundreds of libraries, and fork would copy every page table only for exec
  // to throw them away. qmail-queue gets fd 0 and 1 (and our stderr) only: in particular no
  // fd 4 or 6 (custom-error texts) may stay open in a process that could outlive us.
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawn_file_actions_adddup2(&fa, msg[0], 0);
  ::posix_spawn_file_actions_adddup2(&fa, env[0], 1);
  ::posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  ::posix_spawnattr_init(&attr);
  sigset_t none, dfl;
  sigemptyset(&none);
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &dfl);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
  pid_t pid = -1;
  const int spawn_error = ::posix_spawn(&pid, program.c_str(), &fa, &attr, argv, environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  ::close(msg[0]);
  ::close(env[0]);
  if (spawn_error != 0) {
    ::close(msg[1]);
    ::close(env[1]);
    return {exit_code::kInternalBug, "cannot run " + program + ": " + std::strerror(spawn_error)};
  }
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
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
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
