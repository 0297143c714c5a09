// qscan-bench-driver: feeds messages to a QMAILQUEUE-style command the way qmail-smtpd does
// (message on a pipe at fd 0, then the envelope on a pipe at fd 1), `concurrency` at a time,
// and prints one line per message plus a total:
//
//   qscan-bench-driver --list FILE [--concurrency C] [--envelope-sender S] -- CMD ARGS...
//
//   FILE: one message path per line, run in that order (each once).
//   stdout: "msg <index> <exit code or -signal> <latency us> <maxrss KiB>" per message
//           (maxrss is wait4's: the command's own peak, or that of its largest waited-for
//           descendant), then "total <wall us>".
// The environment is passed through unchanged. Never asserts anything.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Outcome {
  int code = 0;
  long long latency_us = 0;
  long maxrss_kb = 0;
};

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

Outcome run_one(char* const* argv, const std::string& message, const std::string& envelope) {
  Outcome o;
  int mp[2], ep[2];
  if (::pipe2(mp, O_CLOEXEC) != 0 || ::pipe2(ep, O_CLOEXEC) != 0) {
    o.code = -1000;
    return o;
  }
  const auto t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here on (the parent is multi-threaded).
    ::dup2(mp[0], 0);
    ::dup2(ep[0], 1);
    ::execve(argv[0], argv, environ);
    ::_exit(127);
  }
  ::close(mp[0]);
  ::close(ep[0]);
  if (pid < 0) {
    ::close(mp[1]);
    ::close(ep[1]);
    o.code = -1001;
    return o;
  }
  write_all(mp[1], message);
  ::close(mp[1]);
  write_all(ep[1], envelope);
  ::close(ep[1]);
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  o.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  o.maxrss_kb = ru.ru_maxrss;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::string list;
  int concurrency = 1;
  std::string sender = "bench@example.org";
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--list" && i + 1 < argc) {
      list = argv[++i];
    } else if (a == "--concurrency" && i + 1 < argc) {
      concurrency = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--envelope-sender" && i + 1 < argc) {
      sender = argv[++i];
    } else {
      std::cerr << "usage: qscan-bench-driver --list FILE [--concurrency C] -- CMD ARGS...\n";
      return 2;
    }
  }
  if (list.empty() || i >= argc) {
    std::cerr << "usage: qscan-bench-driver --list FILE [--concurrency C] -- CMD ARGS...\n";
    return 2;
  }
  std::vector<char*> cmd(argv + i, argv + argc);
  cmd.push_back(nullptr);

  std::vector<std::string> messages;
  std::ifstream lf(list);
  for (std::string path; std::getline(lf, path);) {
    if (path.empty()) continue;
    std::ifstream mf(path, std::ios::binary);
    if (!mf) {
      std::cerr << "cannot read " << path << "\n";
      return 2;
    }
    std::ostringstream ss;
    ss << mf.rdbuf();
    messages.push_back(ss.str());
  }
  const std::string envelope =
      "F" + sender + std::string(1, '\0') + "Trcpt@example.com" + std::string(2, '\0');

  std::vector<Outcome> out(messages.size());
  std::atomic<std::size_t> next{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      for (std::size_t k; (k = next.fetch_add(1)) < messages.size();)
        out[k] = run_one(cmd.data(), messages[k], envelope);
    });
  }
  for (auto& t : threads) t.join();
  const long long total =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
  for (std::size_t k = 0; k < out.size(); ++k)
    std::printf("msg %zu %d %lld %ld\n", k, out[k].code, out[k].latency_us, out[k].maxrss_kb);
  std::printf("total %lld\n", total);
  return 0;
}
