// The seccomp allowlists, one per worker kind, as data: every rule names the group it comes
// from, so the filter that is installed and the tables `qscan hardening show` prints (and
// docs/hardening.md holds) come from the same list.
#pragma once

#include <string>
#include <vector>

#include "hardening/sandbox.h"

namespace qscan::hardening {

// Conditions on a syscall's arguments.
enum class ArgCheck {
  kNone,
  kFdIsResult,  // arg0 == the result pipe
  kFdIsPeer,    // arg0 == the daemon socket
  kNoExec,      // mmap/mprotect: PROT_EXEC not set in the prot argument
};

struct SyscallRule {
  std::string syscall;
  std::string group;
  ArgCheck check = ArgCheck::kNone;
  // Path-based file syscalls of the scan worker: allowed only when Landlock confines them
  // to the scratch directory; otherwise they fail with EACCES.
  bool needs_landlock = false;
};

struct SyscallGroup {
  std::string name;
  std::string why;  // one line for the tables
};

const std::vector<SyscallGroup>& syscall_groups();
std::vector<SyscallRule> seccomp_rules(WorkerKind kind);
std::string describe_check(ArgCheck check);  // "", "fd == result pipe", ...

// Installs the filter (default action: kill the process). `landlock_active` decides the
// action of needs_landlock rules.
bool install_seccomp(WorkerKind kind, const SandboxOptions& options, bool landlock_active,
                     std::string* error);

// The filter in libseccomp's pseudo-filter-code form, built by the same code.
std::string export_pfc(WorkerKind kind, const SandboxOptions& options, bool landlock_active);

}  // namespace qscan::hardening
