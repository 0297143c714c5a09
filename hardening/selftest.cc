#include "hardening/selftest.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace qscan::hardening {
namespace {

// Child exit codes: the operation failed with an errno (DENIED) or succeeded (ALLOWED).
constexpr int kExitDenied = 10;
constexpr int kExitAllowed = 11;
constexpr int kExitSetupFailed = 12;

const std::vector<std::string> kProbes = {
    "open-spool-file", "socket",      "connect",       "execve",           "fork",
    "ptrace",          "kill-parent", "mprotect-exec", "write-foreign-fd", "raise-rlimit",
};

// Performs one probe; returns the syscall's result (<0 = failed with errno).
long attempt(const std::string& probe, const std::string& spool_file, pid_t parent,
             int foreign_fd) {
  if (probe == "open-spool-file") return ::open(spool_file.c_str(), O_RDONLY);
  if (probe == "socket") return ::socket(AF_INET, SOCK_STREAM, 0);
  if (probe == "connect") {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    return ::connect(foreign_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (probe == "execve") {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    return ::execve("/bin/true", argv, nullptr);
  }
  if (probe == "fork") {
    const long pid = ::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) ::_exit(0);
    return pid;
  }
  if (probe == "ptrace") return ::ptrace(PTRACE_ATTACH, parent, nullptr, nullptr);
  if (probe == "kill-parent") return ::kill(parent, 0);  // signal 0: no harm if allowed
  if (probe == "mprotect-exec") {
    void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    return ::mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
  }
  if (probe == "write-foreign-fd") return ::write(foreign_fd, "x", 1);
  if (probe == "raise-rlimit") {
    rlimit rl{RLIM_INFINITY, RLIM_INFINITY};
    return ::setrlimit(RLIMIT_CPU, &rl);
  }
  errno = EINVAL;
  return -1;
}

ProbeResult run_probe(WorkerKind kind, const std::string& probe, const SandboxOptions& base,
                      const std::string& spool_file, const std::string& scratch) {
  ProbeResult r{kind, probe, ProbeOutcome::kError, ""};
  int foreign[2];  // a pipe the worker does not own: not in keep_fds
  int result[2];
  if (::pipe2(foreign, O_CLOEXEC) != 0 || ::pipe2(result, O_CLOEXEC) != 0) {
    r.detail = "pipe failed";
    return r;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    SandboxOptions o = base;
    o.result_fd = result[1];
    if (kind == WorkerKind::kDaemonClient) o.peer_fd = result[1];
    if (kind == WorkerKind::kScan) o.scratch_dir = scratch;
    o.cpu_seconds = 10;
    std::string error;
    if (!enter_sandbox(kind, o, nullptr, &error)) ::_exit(kExitSetupFailed);
    const long rc = attempt(probe, spool_file, parent, foreign[1]);
    if (rc >= 0) ::_exit(kExitAllowed);
    // The errno goes back as the completion byte (write on the result fd is allowed).
    const unsigned char e = static_cast<unsigned char>(errno);
    if (::write(result[1], &e, 1) != 1) ::_exit(kExitSetupFailed);
    ::_exit(kExitDenied);
  }
  ::close(foreign[0]);
  ::close(foreign[1]);
  ::close(result[1]);
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  unsigned char e = 0;
  const bool got_errno = ::read(result[0], &e, 1) == 1;
  ::close(result[0]);
  if (pid < 0) {
    r.detail = "fork failed";
  } else if (WIFSIGNALED(status)) {
    r.outcome = WTERMSIG(status) == SIGSYS ? ProbeOutcome::kKilled : ProbeOutcome::kError;
    r.detail = sigabbrev_np(WTERMSIG(status)) ? std::string("SIG") + sigabbrev_np(WTERMSIG(status))
                                              : "signal";
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == kExitDenied && got_errno) {
    r.outcome = ProbeOutcome::kDenied;
    r.detail = strerrorname_np(e) ? strerrorname_np(e) : std::to_string(e);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == kExitAllowed) {
    r.outcome = ProbeOutcome::kAllowed;
    r.detail = "the operation succeeded";
  } else {
    r.detail = "worker could not be sandboxed (exit " + std::to_string(WEXITSTATUS(status)) + ")";
  }
  return r;
}

}  // namespace

const char* outcome_name(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::kKilled:
      return "KILLED";
    case ProbeOutcome::kDenied:
      return "DENIED";
    case ProbeOutcome::kAllowed:
      return "ALLOWED";
    case ProbeOutcome::kError:
      return "ERROR";
  }
  return "?";
}

const std::vector<std::string>& probe_names() { return kProbes; }

std::vector<ProbeResult> run_selftest(const std::vector<WorkerKind>& kinds,
                                      const SandboxOptions& base) {
  std::vector<ProbeResult> out;
  char dir_template[] = "/tmp/qscan-selftest-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) return out;
  const std::string root(dir);
  const std::string spool_file = root + "/spool-file";
  const std::string scratch = root + "/scratch";
  ::close(::open(spool_file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  ::mkdir(scratch.c_str(), 0700);
  // As root the worker runs as another uid: it must be able to reach its scratch directory.
  ::chmod(root.c_str(), 0711);
  if (::geteuid() == 0 && ::chown(scratch.c_str(), base.worker_uid.value_or(65534),
                                  base.worker_gid.value_or(65534)) != 0)
    std::perror("selftest: chown of the scratch directory");  // its scan probes will say so
  for (WorkerKind k : kinds)
    for (const std::string& p : kProbes) out.push_back(run_probe(k, p, base, spool_file, scratch));
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return out;
}

bool selftest_passed(const std::vector<ProbeResult>& results) {
  if (results.empty()) return false;
  for (const auto& r : results)
    if (r.outcome == ProbeOutcome::kAllowed || r.outcome == ProbeOutcome::kError) return false;
  return true;
}

}  // namespace qscan::hardening
