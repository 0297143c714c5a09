#include "tests/support/qmail_queue_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

#ifndef QSCAN_BINARY_DIR
#error "QSCAN_BINARY_DIR must be defined (the build tree root)"
#endif

namespace qscan::testing {
inline namespace qmail_queue_run {

namespace {

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available; closes fd at EOF or on error.
void read_some(int& fd, std::string& out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close_fd(fd);
    return;
  }
}

// Writes what fits; closes fd when all is written (true) or on EPIPE and other errors.
void write_some(int& fd, const std::string& data, size_t& off, bool& broken) {
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    broken = true;
    close_fd(fd);
    return;
  }
  close_fd(fd);
}

// Child side after fork: only async-signal-safe calls.
[[noreturn]] void exec_child(const int child_fds[5], int exec_err_fd, const sigset_t& mask,
                             char* const argv[], char* const envp[]) {
  setpgid(0, 0);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &sa, nullptr);
  sigprocmask(SIG_SETMASK, &mask, nullptr);

  // Move everything out of the way first: a pipe may have been allocated at 0..6.
  static const int kTargets[5] = {0, 1, 2, 4, 6};
  int high[5];
  for (int i = 0; i < 5; ++i) {
    high[i] = fcntl(child_fds[i], F_DUPFD_CLOEXEC, 10);
    if (high[i] < 0) goto fail;
  }
  for (int i = 0; i < 5; ++i) {
    if (dup2(high[i], kTargets[i]) < 0) goto fail;
  }
  close(3);
  close(5);
  // Nothing else may reach the program (exec_err_fd is already close-on-exec).
  if (syscall(SYS_close_range, 7U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0) {
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 7; fd < max; ++fd) {
      if (fd != exec_err_fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  execve(argv[0], argv, envp);
fail:
  int e = errno;
  ssize_t ignored = write(exec_err_fd, &e, sizeof e);
  (void)ignored;
  _exit(127);
}

}  // namespace

std::string make_envelope(const std::string& sender, const std::vector<std::string>& rcpts) {
  std::string env = "F" + sender;
  env.push_back('\0');
  for (const auto& r : rcpts) {
    env += "T" + r;
    env.push_back('\0');
  }
  env.push_back('\0');
  return env;
}

RunResult run_qmail_queue_protocol(
    const std::string& binary, const std::vector<std::string>& args, const std::string& message,
    const std::string& envelope, const std::vector<std::pair<std::string, std::string>>& extra_env,
    int timeout_ms) {
  // Everything the child needs is built before fork.
  std::vector<std::string> argv_s{binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = std::any_of(extra_env.begin(), extra_env.end(), [&](const auto& kv) {
      return entry.compare(0, kv.first.size() + 1, kv.first + "=") == 0;
    });
    if (!overridden) env_s.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra_env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  // [0] message (child reads), [1] envelope (child reads), [2] stderr, [3] fd 4, [4] fd 6.
  int p[5][2];
  int exec_err[2];
  int opened = 0;
  try {
    for (; opened < 5; ++opened) make_pipe(p[opened]);
    make_pipe(exec_err);
  } catch (...) {
    for (int i = 0; i < opened; ++i) {
      close(p[i][0]);
      close(p[i][1]);
    }
    throw;
  }
  const int child_fds[5] = {p[0][0], p[1][0], p[2][1], p[3][1], p[4][1]};

  // Writing to a pipe whose reader died must give EPIPE, not kill the test.
  sigset_t pipe_set, old_mask, pending_before;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending_before);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigset_t child_mask;
  sigemptyset(&child_mask);

  const pid_t pid = fork();
  if (pid == 0) exec_child(child_fds, exec_err[1], child_mask, argv.data(), envp.data());

  const int fork_errno = errno;
  for (int fd : child_fds) close(fd);
  close(exec_err[1]);
  int msg_fd = p[0][1], env_fd = p[1][1], err_fd = p[2][0], fd4 = p[3][0], fd6 = p[4][0];

  auto restore_signals = [&] {
    if (!sigismember(&pending_before, SIGPIPE)) {
      sigset_t now;
      sigpending(&now);
      if (sigismember(&now, SIGPIPE)) {
        timespec zero{0, 0};
        sigtimedwait(&pipe_set, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  };
  auto close_all = [&] {
    close_fd(msg_fd);
    close_fd(env_fd);
    close_fd(err_fd);
    close_fd(fd4);
    close_fd(fd6);
  };

  if (pid < 0) {
    close(exec_err[0]);
    close_all();
    restore_signals();
    throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
  }
  int exec_errno = 0;
  ssize_t got;
  do got = read(exec_err[0], &exec_errno, sizeof exec_errno);
  while (got < 0 && errno == EINTR);
  close(exec_err[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int st;
    waitpid(pid, &st, 0);
    close_all();
    restore_signals();
    throw std::runtime_error("cannot run " + binary + ": " + std::strerror(exec_errno));
  }

  for (int fd : {msg_fd, env_fd, err_fd, fd4, fd6}) set_nonblock(fd);
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));

  RunResult result;
  size_t msg_off = 0, env_off = 0;
  bool reaped = false;
  int status = 0;
  const long long deadline = now_ms() + timeout_ms;

  auto try_reap = [&] {
    if (reaped) return;
    pid_t r;
    do r = waitpid(pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == pid) {
      reaped = true;
      close_fd(pidfd);
      if (msg_fd >= 0 && msg_off < message.size()) result.message_write_incomplete = true;
      // Nobody left to read the input pipes (a helper could, but qmail-smtpd would not wait).
      close_fd(msg_fd);
      close_fd(env_fd);
    }
  };

  for (;;) {
    // Message first, to EOF; only then the envelope.
    if (msg_fd >= 0 && message.empty()) close_fd(msg_fd);
    if (msg_fd < 0 && env_fd >= 0 && envelope.empty()) close_fd(env_fd);
    try_reap();
    if (reaped && fd4 < 0 && fd6 < 0) break;

    const long long left = deadline - now_ms();
    if (left <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      if (!reaped) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        reaped = true;
      }
      break;
    }

    pollfd pfds[6];
    int n = 0;
    auto add = [&](int fd, short events) {
      if (fd >= 0) pfds[n++] = pollfd{fd, events, 0};
    };
    add(msg_fd, POLLOUT);
    if (msg_fd < 0) add(env_fd, POLLOUT);
    add(err_fd, POLLIN);
    add(fd4, POLLIN);
    add(fd6, POLLIN);
    add(pidfd, POLLIN);
    int wait_ms = static_cast<int>(std::min<long long>(left, pidfd >= 0 ? left : 10));
    int r = poll(pfds, static_cast<nfds_t>(n), wait_ms);
    if (r < 0 && errno != EINTR) {
      const int e = errno;
      kill(-pid, SIGKILL);
      if (!reaped) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
      close_fd(pidfd);
      close_all();
      restore_signals();
      throw std::runtime_error(std::string("poll: ") + std::strerror(e));
    }
    if (r <= 0) continue;
    for (int i = 0; i < n; ++i) {
      if (pfds[i].revents == 0) continue;
      const int fd = pfds[i].fd;
      if (fd == msg_fd) {
        bool broken = false;
        write_some(msg_fd, message, msg_off, broken);
        if (broken) result.message_write_incomplete = true;
      } else if (fd == env_fd) {
        bool broken = false;
        write_some(env_fd, envelope, env_off, broken);
      } else if (fd == err_fd) {
        read_some(err_fd, result.stderr_text);
      } else if (fd == fd4) {
        read_some(fd4, result.fd4_text);
      } else if (fd == fd6) {
        read_some(fd6, result.fd6_text);
      } else if (fd == pidfd) {
        try_reap();
      }
    }
  }

  // Whatever is already in the pipes (stderr is not waited for beyond this).
  if (err_fd >= 0) read_some(err_fd, result.stderr_text);
  if (fd4 >= 0) read_some(fd4, result.fd4_text);
  if (fd6 >= 0) read_some(fd6, result.fd6_text);
  close_fd(pidfd);
  close_all();
  restore_signals();

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::vector<Delivery> read_deliveries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.empty() || file[0] == '.' || file.size() <= 4) continue;
    if (file.compare(file.size() - 4, 4, ".env") != 0) continue;
    names.push_back(file.substr(0, file.size() - 4));
  }
  std::sort(names.begin(), names.end());
  std::vector<Delivery> out;
  for (const auto& name : names) {
    out.push_back(
        Delivery{name, read_file(dir + "/" + name + ".msg"), read_file(dir + "/" + name + ".env")});
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error("error reading " + path);
  return ss.str();
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string fake_qmail_queue_path() { return QSCAN_BINARY_DIR "/tests/fake-qmail-queue"; }

}  // namespace qmail_queue_run
}  // namespace qscan::testing
