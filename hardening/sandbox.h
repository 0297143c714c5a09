// Entering a worker sandbox: the one call a freshly forked worker makes before it touches
// untrusted input. The layers, in order: close fds, PR_SET_NO_NEW_PRIVS, rlimits, network/
// IPC/mount/UTS/PID namespaces (while still root, if root), the separate worker uid, a user
// namespace (best effort), drop every capability, PR_SET_DUMPABLE 0, parent-death signal,
// Landlock, seccomp (last). docs/hardening.md explains each choice.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qscan::hardening {

enum class WorkerKind {
  kDecode,        // MIME, TNEF, uuencode, archives: pure computation over memory
  kScan,          // libclamav: memory, plus temp files in a private scratch directory
  kDaemonClient,  // clamd/spamd protocol over one socket the supervisor connected
};

const char* worker_name(WorkerKind kind);  // "decode", "scan", "daemon-client"
std::optional<WorkerKind> worker_kind_from_name(const std::string& name);
const std::vector<WorkerKind>& all_worker_kinds();

struct SandboxOptions {
  std::vector<int> keep_fds;  // every other fd is closed
  int result_fd = -1;         // the only fd the worker may write() to (completion byte)
  int peer_fd = -1;           // daemon client: the only fd it may sendmsg/recvmsg on
  std::uint64_t address_space_bytes = 4ull << 30;
  std::uint64_t cpu_seconds = 120;
  // RLIMIT_FSIZE: 0 for workers that write no files; the scan worker's temp files are
  // bounded by this (config max_decoded_bytes).
  std::uint64_t max_file_size = 0;
  // Scan worker only: the private scratch directory where libclamav may create its temp
  // files. Landlock grants file rights beneath it and nowhere else; without Landlock the
  // path-based file syscalls fail with EACCES instead.
  std::optional<std::string> scratch_dir;
  bool enter_namespaces = true;
  // When the supervisor can switch uids (root, or qscand keeping CAP_SETUID/CAP_SETGID):
  // the uid/gid workers switch to (config worker_user).
  std::optional<uid_t> worker_uid;
  std::optional<gid_t> worker_gid;
};

// Which optional layers took effect, for logs, `qscan hardening show` and selftest.
struct SandboxStatus {
  bool namespaces = false;
  bool user_namespace = false;
  bool landlock = false;
  int landlock_abi = 0;
  bool uid_dropped = false;
  std::string detail;  // human-readable notes on layers that were not available
};

// Applies every layer. Returns false (with `error`) if a mandatory layer failed: the caller
// must then _exit without touching input. Optional layers that the kernel refuses are
// noted in `status`.
bool enter_sandbox(WorkerKind kind, const SandboxOptions& options, SandboxStatus* status,
                   std::string* error);

// RLIMIT_NOFILE for each kind: the decode worker opens nothing; the daemon client polls
// its socket (poll() checks nfds against this limit); the scan worker needs a few
// descriptors for libclamav's temp files.
std::uint64_t open_files_limit(WorkerKind kind);

}  // namespace qscan::hardening
