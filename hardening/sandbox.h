// Entering a worker sandbox: the one call a freshly forked worker makes before it touches
// untrusted input. The layers, in order: close fds, PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE 0,
// namespaces (best effort), rlimits, drop every capability, Landlock, seccomp (last).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qscan::hardening {

enum class WorkerKind { kDecode, kScan };

const char* worker_name(WorkerKind kind);  // "decode", "scan"

struct SandboxOptions {
  std::vector<int> keep_fds;                   // every other fd is closed
  std::uint64_t address_space_bytes = 4ull << 30;
  std::uint64_t cpu_seconds = 120;
  std::uint64_t max_open_files = 0;            // RLIMIT_NOFILE (0 = only what is kept)
  // Scan worker only: the private scratch directory where libclamav may create its temp
  // files. Landlock grants file rights beneath it and nowhere else; without Landlock the
  // file syscalls fail with EACCES instead.
  std::optional<std::string> scratch_dir;
  bool enter_namespaces = true;
};

// Which optional layers took effect, for logs and `qscan hardening show`.
struct SandboxStatus {
  bool namespaces = false;
  bool landlock = false;
  std::string detail;  // human-readable notes on layers that were not available
};

// Applies every layer. Returns false (with `error`) if a mandatory layer failed: the caller
// must then _exit without touching input. Optional layers that the kernel refuses are
// noted in `status`.
bool enter_sandbox(WorkerKind kind, const SandboxOptions& options, SandboxStatus* status,
                   std::string* error);

}  // namespace qscan::hardening
