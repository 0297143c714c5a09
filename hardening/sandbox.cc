#include "hardening/sandbox.h"

#include <grp.h>
#include <linux/prctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hardening/landlock.h"
#include "hardening/seccomp_profile.h"
#include "hardening/worker_identity.h"

namespace qscan::hardening {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan reserves terabytes of address space, reports on fd 2
#else
constexpr bool kSanitized = false;
#endif

constexpr int kNamespaceFlags =
    CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID;

void note(SandboxStatus* s, const std::string& text) {
  if (s) s->detail += (s->detail.empty() ? "" : "; ") + text;
}

bool fail(std::string* error, const std::string& what) {
  if (error) *error = what + ": " + std::strerror(errno);
  return false;
}

// close_range() over the gaps between the descriptors to keep.
bool close_other_fds(std::vector<int> keep, std::string* error) {
  if (kSanitized) keep.push_back(2);
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    const auto u = static_cast<unsigned>(fd);
    if (u > next && ::close_range(next, u - 1, 0) != 0) return fail(error, "close_range");
    next = u + 1;
  }
  if (::close_range(next, ~0u, 0) != 0) return fail(error, "close_range");
  return true;
}

bool set_limit(int resource, std::uint64_t value, const char* name, std::string* error) {
  rlimit rl{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  if (::setrlimit(resource, &rl) != 0) return fail(error, std::string("setrlimit ") + name);
  return true;
}

bool drop_to_worker_uid(const SandboxOptions& o, std::string* error) {
  const uid_t uid = o.worker_uid.value_or(65534);
  const gid_t gid = o.worker_gid.value_or(65534);
  if (::setgroups(0, nullptr) != 0) return fail(error, "setgroups");
  if (::setresgid(gid, gid, gid) != 0) return fail(error, "setresgid");
  if (::setresuid(uid, uid, uid) != 0) return fail(error, "setresuid");
  return true;
}

bool drop_capabilities(std::string* error) {
  // The bounding set needs CAP_SETPCAP to shrink: do it first, best effort (a process
  // without that capability cannot gain any of these anyway).
  for (int c = 0; c <= CAP_LAST_CAP; ++c) ::prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  cap_t none = ::cap_init();
  if (none == nullptr) return fail(error, "cap_init");
  const int rc = ::cap_set_proc(none);
  ::cap_free(none);
  if (rc != 0) return fail(error, "cap_set_proc");
  return true;
}

}  // namespace

const char* worker_name(WorkerKind kind) {
  switch (kind) {
    case WorkerKind::kDecode:
      return "decode";
    case WorkerKind::kScan:
      return "scan";
    case WorkerKind::kDaemonClient:
      return "daemon-client";
  }
  return "?";
}

const std::vector<WorkerKind>& all_worker_kinds() {
  static const std::vector<WorkerKind> k = {WorkerKind::kDecode, WorkerKind::kScan,
                                            WorkerKind::kDaemonClient};
  return k;
}

std::optional<WorkerKind> worker_kind_from_name(const std::string& name) {
  for (WorkerKind k : all_worker_kinds())
    if (name == worker_name(k)) return k;
  return std::nullopt;
}

std::uint64_t open_files_limit(WorkerKind kind) {
  switch (kind) {
    case WorkerKind::kScan:
      return 64;  // libclamav temp files
    case WorkerKind::kDaemonClient:
      return 4;  // poll() refuses nfds above RLIMIT_NOFILE; nothing can open a new fd anyway
    case WorkerKind::kDecode:
      break;
  }
  return 0;
}

bool enter_sandbox(WorkerKind kind, const SandboxOptions& o, SandboxStatus* status,
                   std::string* error) {
  SandboxStatus local;
  SandboxStatus* s = status ? status : &local;
  std::vector<int> keep = o.keep_fds;
  if (o.result_fd >= 0) keep.push_back(o.result_fd);
  if (o.peer_fd >= 0) keep.push_back(o.peer_fd);
  if (!close_other_fds(keep, error)) return false;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(error, "PR_SET_NO_NEW_PRIVS");

  if (!set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", error)) return false;
  if (!set_limit(RLIMIT_CPU, o.cpu_seconds, "RLIMIT_CPU", error)) return false;
  const std::uint64_t fsize = kind == WorkerKind::kScan ? o.max_file_size : 0;
  if (!set_limit(RLIMIT_FSIZE, fsize, "RLIMIT_FSIZE", error)) return false;
  if (!kSanitized && !set_limit(RLIMIT_AS, o.address_space_bytes, "RLIMIT_AS", error)) return false;

  // A non-root supervisor that kept CAP_SETUID/CAP_SETGID (qscand after leaving root)
  // switches first: the uid change must happen outside the new user namespace, where the
  // worker uid has no mapping.
  if (::geteuid() != 0 && o.worker_uid && can_switch_worker_uid()) {
    EffectiveCap setgid_cap(CAP_SETGID);
    EffectiveCap setuid_cap(CAP_SETUID);
    if (!drop_to_worker_uid(o, error)) return false;
    s->uid_dropped = true;
  }
  const bool root = ::geteuid() == 0;
  if (o.enter_namespaces) {
    // As root the namespaces need no user namespace; otherwise one user namespace makes
    // the others possible for an unprivileged process.
    const int flags = root ? kNamespaceFlags : kNamespaceFlags | CLONE_NEWUSER;
    if (::unshare(flags) == 0) {
      s->namespaces = true;
      s->user_namespace = !root;
    } else {
      note(s, std::string("namespaces not entered: ") + std::strerror(errno));
    }
  }
  if (root) {
    if (!drop_to_worker_uid(o, error)) return false;
    s->uid_dropped = true;
    if (o.enter_namespaces && ::unshare(CLONE_NEWUSER) == 0) s->user_namespace = true;
  }
  if (!drop_capabilities(error)) return false;
  // After every credential change: both are reset when credentials change.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail(error, "PR_SET_DUMPABLE");
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return fail(error, "PR_SET_PDEATHSIG");

  std::string landlock_note;
  s->landlock = apply_landlock(kind == WorkerKind::kScan ? o.scratch_dir : std::nullopt,
                               &s->landlock_abi, &landlock_note, error);
  if (!s->landlock) {
    if (error && !error->empty()) return false;  // available but failed: fail closed
    note(s, landlock_note);
  }
  // RLIMIT_NOFILE caps new descriptor numbers; the kept ones stay usable. After Landlock,
  // which needs descriptors of its own while it builds the ruleset.
  if (!set_limit(RLIMIT_NOFILE, open_files_limit(kind), "RLIMIT_NOFILE", error)) return false;
  return install_seccomp(kind, o, s->landlock, error);
}

}  // namespace qscan::hardening
