// fake-qmail-queue: a stand-in for qmail-queue(8) for tests and benchmarks.
//
// Protocol, as qmail-queue: read the whole message from fd 0 to EOF, then the envelope from
// fd 1: `F<sender>\0`, zero or more `T<recipient>\0`, one final `\0`. Nothing after the final
// NUL is read. Exit codes, as qmail-queue.c:
//   54  read error on fd 0 or fd 1, or EOF on fd 1 before the final NUL (also: empty fd 1,
//       the truncated-message case)
//   91  first envelope byte is not `F`, or a byte other than `T`/NUL where a recipient is due
//   11  an address of 1003 bytes or more
//   53  cannot write the delivery (bad FAKE_QMAIL_QUEUE_DIR, disk full, ...)
//   81  internal error (bad switch value)
//   0   stored
// Unlike the real one it adds no `Received:` line: it stores the exact bytes it was given.
//
// Environment:
//   FAKE_QMAIL_QUEUE_DIR=<dir>      store the delivery as <dir>/<n>.msg and <dir>/<n>.env,
//                                   each written to a dot-file, fsynced, then renamed; the
//                                   .env file is renamed last and marks a complete delivery.
//                                   <n> = 20-digit CLOCK_REALTIME ns, pid, per-process counter,
//                                   so names sort in delivery order.
//                                   Unset: read and validate everything, discard, exit 0 (the
//                                   benchmark floor).
//   FAKE_QMAIL_QUEUE_EXIT=<code>    read everything, store nothing, exit <code>.
//   FAKE_QMAIL_QUEUE_SIGNAL=<n>     read everything, store nothing, die by signal <n>.
//   FAKE_QMAIL_QUEUE_SLEEP_MS=<ms>  sleep after reading, before answering.
// With EXIT or SIGNAL the envelope is read as far as qmail-queue would, its errors ignored.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr size_t kAddrMax = 1003;  // qmail-queue.c ADDR

// Parses a decimal switch value; -1 when unset; -2 when malformed.
long env_number(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return -1;
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(v, &end, 10);
  if (errno != 0 || *end != '\0' || n < 0) return -2;
  return n;
}

// Reads fd to EOF. False on a read error.
bool read_all(int fd, std::string& out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return true;
    } else if (errno != EINTR) {
      return false;
    }
  }
}

// Buffered byte reader (like qmail's substdio: may read past the final NUL; that is ignored).
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  // 1 = got a byte, 0 = EOF, -1 = error.
  int get(char& c) {
    if (pos_ == len_) {
      ssize_t n;
      do n = read(fd_, buf_, sizeof buf_);
      while (n < 0 && errno == EINTR);
      if (n < 0) return -1;
      if (n == 0) return 0;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    c = buf_[pos_++];
    return 1;
  }

 private:
  int fd_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
};

// Reads and checks the envelope exactly as qmail-queue does; the raw bytes go to `env`.
// Returns 0 or the qmail-queue exit code.
int read_envelope(std::string& env) {
  Reader in(1);
  char c;
  // Address body up to and including its NUL.
  auto address = [&]() -> int {
    for (size_t len = 0; len < kAddrMax; ++len) {
      int r = in.get(c);
      if (r <= 0) return 54;
      env.push_back(c);
      if (c == '\0') return 0;
    }
    return 11;
  };
  int r = in.get(c);
  if (r <= 0) return 54;
  env.push_back(c);
  if (c != 'F') return 91;
  if (int e = address()) return e;
  for (;;) {
    r = in.get(c);
    if (r <= 0) return 54;
    env.push_back(c);
    if (c == '\0') return 0;
    if (c != 'T') return 91;
    if (int e = address()) return e;
  }
}

bool write_file(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      unlink(path.c_str());
      return false;
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(path.c_str());
    return false;
  }
  return true;
}

int store(const std::string& dir, const std::string& msg, const std::string& env) {
  static unsigned counter = 0;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  char name[96];
  std::snprintf(name, sizeof name, "%020llu-%d-%u",
                static_cast<unsigned long long>(ts.tv_sec) * 1000000000ULL +
                    static_cast<unsigned long long>(ts.tv_nsec),
                static_cast<int>(getpid()), counter++);
  const std::string base = dir + "/" + name;
  const std::string tmp = dir + "/." + name;
  if (!write_file(tmp + ".msg", msg)) return 53;
  if (!write_file(tmp + ".env", env)) {
    unlink((tmp + ".msg").c_str());
    return 53;
  }
  if (rename((tmp + ".msg").c_str(), (base + ".msg").c_str()) != 0) {
    unlink((tmp + ".msg").c_str());
    unlink((tmp + ".env").c_str());
    return 53;
  }
  if (rename((tmp + ".env").c_str(), (base + ".env").c_str()) != 0) {
    unlink((base + ".msg").c_str());
    unlink((tmp + ".env").c_str());
    return 53;
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

}  // namespace

int main() {
  // A caller that died must not kill us silently with SIGPIPE (we never write to it anyway).
  signal(SIGPIPE, SIG_IGN);

  const long exit_switch = env_number("FAKE_QMAIL_QUEUE_EXIT");
  const long signal_switch = env_number("FAKE_QMAIL_QUEUE_SIGNAL");
  const long sleep_ms = env_number("FAKE_QMAIL_QUEUE_SLEEP_MS");

  std::string msg;
  if (!read_all(0, msg)) return 54;
  std::string env;
  const int env_status = read_envelope(env);

  if (exit_switch == -2 || signal_switch == -2 || sleep_ms == -2) return 81;
  if (sleep_ms > 0) {
    timespec req{sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
    while (nanosleep(&req, &req) != 0 && errno == EINTR) {
    }
  }
  if (signal_switch >= 0) {
    const int sig = static_cast<int>(signal_switch);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, nullptr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(sig);
    return 81;  // a signal whose default action is not to terminate
  }
  if (exit_switch >= 0) return static_cast<int>(exit_switch & 0xff);
  if (env_status != 0) return env_status;

  const char* dir = std::getenv("FAKE_QMAIL_QUEUE_DIR");
  if (dir == nullptr || *dir == '\0') return 0;  // benchmark floor: discard
  return store(dir, msg, env);
}
