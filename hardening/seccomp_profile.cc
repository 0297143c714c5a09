#include "hardening/seccomp_profile.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace qscan::hardening {
namespace {

// Groups in the order the tables list them.
const std::vector<SyscallGroup> kGroups = {
    {"exit", "end the process; return from a signal handler"},
    {"memory", "allocate, resize and free memory; never executable (no PROT_EXEC)"},
    {"sync", "futex: glibc malloc and libclamav locks"},
    {"clock", "read the clock (normally the vDSO; these are the fallbacks)"},
    {"result-pipe", "write the completion byte on the result pipe, and only there"},
    {"scratch-files",
     "libclamav temp files; path-based calls only where Landlock confines them to the "
     "private scratch directory, EACCES otherwise"},
    {"daemon-io", "talk to clamd/spamd over the one socket the supervisor connected"},
};

void add(std::vector<SyscallRule>& r, const char* group, std::initializer_list<const char*> names,
         ArgCheck check = ArgCheck::kNone, bool needs_landlock = false) {
  for (const char* n : names) r.push_back({n, group, check, needs_landlock});
}

std::vector<SyscallRule> common_rules() {
  std::vector<SyscallRule> r;
  add(r, "exit", {"exit", "exit_group", "rt_sigreturn"});
  add(r, "memory", {"brk", "munmap", "mremap", "madvise"});
  add(r, "memory", {"mmap", "mprotect"}, ArgCheck::kNoExec);
  add(r, "sync", {"futex"});
  add(r, "clock", {"clock_gettime", "gettimeofday"});
  add(r, "result-pipe", {"write"}, ArgCheck::kFdIsResult);
  return r;
}

// One argument comparison, every field spelled out (libseccomp's SCMP_A* macros leave the
// last one implicit, which clang's -Wmissing-field-initializers rejects under -Werror).
scmp_arg_cmp arg_cmp(unsigned arg, scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0) {
  scmp_arg_cmp c{};
  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

scmp_filter_ctx build_filter(WorkerKind kind, const SandboxOptions& o, bool landlock_active,
                             std::string* error) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
  if (ctx == nullptr) {
    if (error) *error = "seccomp_init failed";
    return nullptr;
  }
  const std::vector<SyscallRule> rules = seccomp_rules(kind);
  // A syscall allowed without condition needs no conditional rule as well.
  std::set<std::string> unconditional;
  for (const auto& r : rules)
    if (r.check == ArgCheck::kNone) unconditional.insert(r.syscall);
  for (const auto& r : rules) {
    if (r.check != ArgCheck::kNone && unconditional.count(r.syscall)) continue;
    const int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture (e.g. poll on arm64)
    const std::uint32_t action =
        r.needs_landlock && !landlock_active ? SCMP_ACT_ERRNO(EACCES) : SCMP_ACT_ALLOW;
    int rc = 0;
    switch (r.check) {
      case ArgCheck::kNone:
        rc = seccomp_rule_add(ctx, action, nr, 0);
        break;
      case ArgCheck::kFdIsResult:
        rc = seccomp_rule_add(ctx, action, nr, 1,
                              arg_cmp(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(o.result_fd)));
        break;
      case ArgCheck::kFdIsPeer:
        rc = seccomp_rule_add(ctx, action, nr, 1,
                              arg_cmp(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(o.peer_fd)));
        break;
      case ArgCheck::kNoExec:
        rc = seccomp_rule_add(ctx, action, nr, 1, arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        break;
    }
    if (rc != 0) {
      if (error) *error = "seccomp_rule_add(" + r.syscall + "): " + std::strerror(-rc);
      seccomp_release(ctx);
      return nullptr;
    }
  }
#if defined(__SANITIZE_ADDRESS__)
  // Sanitizer builds only (tests): the ASan/UBSan runtime sets up an alternate signal stack
  // and writes its reports to fd 2. Production filters never contain these rules, and the
  // tables and docs describe production.
  for (const char* name : {"sigaltstack", "getpid", "gettid", "sched_yield", "rt_sigprocmask"}) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr != __NR_SCMP_ERROR) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  }
  seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, arg_cmp(0, SCMP_CMP_EQ, 2));
#endif
  return ctx;
}

}  // namespace

const std::vector<SyscallGroup>& syscall_groups() { return kGroups; }

std::vector<SyscallRule> seccomp_rules(WorkerKind kind) {
  std::vector<SyscallRule> r = common_rules();
  switch (kind) {
    case WorkerKind::kDecode:
      break;
    case WorkerKind::kScan:
      add(r, "scratch-files",
          {"openat", "newfstatat", "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "chmod"},
          ArgCheck::kNone, true);
      add(r, "scratch-files",
          {"read", "write", "pread64", "pwrite64", "lseek", "close", "fstat", "fcntl", "ftruncate",
           "getdents64", "fchmod", "getpid"});
      break;
    case WorkerKind::kDaemonClient:
      add(r, "daemon-io", {"sendmsg", "recvmsg"}, ArgCheck::kFdIsPeer);
      add(r, "daemon-io", {"poll", "ppoll"});
      break;
  }
  return r;
}

std::string describe_check(ArgCheck check) {
  switch (check) {
    case ArgCheck::kNone:
      return "";
    case ArgCheck::kFdIsResult:
      return "fd == result pipe";
    case ArgCheck::kFdIsPeer:
      return "fd == daemon socket";
    case ArgCheck::kNoExec:
      return "(prot & PROT_EXEC) == 0";
  }
  return "";
}

bool install_seccomp(WorkerKind kind, const SandboxOptions& options, bool landlock_active,
                     std::string* error) {
  scmp_filter_ctx ctx = build_filter(kind, options, landlock_active, error);
  if (ctx == nullptr) return false;
  const int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) {
    if (error) *error = std::string("seccomp_load: ") + std::strerror(-rc);
    return false;
  }
  return true;
}

std::string export_pfc(WorkerKind kind, const SandboxOptions& options, bool landlock_active) {
  std::string error;
  scmp_filter_ctx ctx = build_filter(kind, options, landlock_active, &error);
  if (ctx == nullptr) return "# cannot build filter: " + error + "\n";
  std::string out;
  const int fd = ::memfd_create("qscan-pfc", MFD_CLOEXEC);
  if (fd >= 0 && seccomp_export_pfc(ctx, fd) == 0) {
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  if (fd >= 0) ::close(fd);
  seccomp_release(ctx);
  return out;
}

}  // namespace qscan::hardening
