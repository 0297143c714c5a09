// What one sandboxed process per message costs before any work: fork + _exit + wait of a
// process that has the supervisor's mappings (decoders initialised, iconv modules
// preloaded, the ClamAV engine loaded), alone and with the network namespace a worker
// enters. The figures behind bench/README.md's "floor of the process model".
//   qscan-bench-fork-cost DBDIR [N]
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "workers/decode_worker.h"
#include "workers/scan/clamav_engine.h"

namespace {

double cpu_ms() {
  rusage self{}, kids{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &kids);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(kids.ru_utime) + ms(kids.ru_stime);
}

std::size_t mappings() {
  std::ifstream f("/proc/self/maps");
  std::size_t n = 0;
  for (std::string line; std::getline(f, line);) ++n;
  return n;
}

void measure(const char* what, int flags, int n) {
  const double c0 = cpu_ms();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    pid_t p = ::fork();
    if (p == 0) ::_exit(flags != 0 && ::unshare(flags) != 0 ? 1 : 0);
    int status = 0;
    ::waitpid(p, &status, 0);
  }
  const double wall =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Tearing a network namespace down happens later, in a kernel worker: not in these figures.
  std::printf("%-28s cpu %.3f ms  wall %.3f ms per process\n", what, (cpu_ms() - c0) / n, wall / n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DBDIR [N]\n", argv[0]);
    return 2;
  }
  const int n = argc > 2 ? std::atoi(argv[2]) : 300;
  std::printf("bare process: %zu mappings\n", mappings());
  measure("fork+exit (bare)", 0, n);
  qscan::workers::init_decoders();
  qscan::workers::ClamEngine engine;
  std::string error;
  if (!engine.load({argv[1]}, {}, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::printf("with decoders and engine: %zu mappings\n", mappings());
  measure("fork+exit", 0, n);
  if (::geteuid() == 0) measure("fork+unshare(NEWNET)+exit", CLONE_NEWNET, n);
  return 0;
}
