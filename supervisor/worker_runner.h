// Forks one sandboxed worker, lets it fill its arena, and judges how it ended.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hardening/sandbox.h"
#include "hardening/worker_identity.h"
#include "ipc/arena_writer.h"

namespace qscan::supervisor {

struct WorkerSpec {
  hardening::WorkerKind kind;
  std::uint64_t timeout_ms = 60000;
  std::uint64_t memory_bytes = 4ull << 30;
  std::uint64_t cpu_seconds = 120;
  std::uint64_t max_file_size = 0;  // RLIMIT_FSIZE (scan worker temp files)
  std::string scratch_dir;          // scan worker: libclamav temp files
  int peer_fd = -1;                 // daemon client: the connected clamd/spamd socket
  std::vector<int> keep_fds;        // other descriptors the worker keeps (clamd FILDES: the memfd)
  bool enter_namespaces = true;
  std::optional<hardening::WorkerIdentity> identity;  // set when the supervisor is root
};

struct WorkerResult {
  bool ok = false;
  std::string failure;  // why it is a worker failure: signal, seccomp, timeout, exit code
  double seconds = 0;
  long max_rss_kb = 0;
};

// Runs `job` in a forked child after enter_sandbox(). The child inherits the caller's
// mappings (the sealed message, the engine) and writes into `arena`, a MAP_SHARED region.
// Success needs both a completion byte on the result pipe and a clean exit.
WorkerResult run_worker(const WorkerSpec& spec, std::span<std::byte> arena,
                        const std::function<void(ipc::ArenaWriter&)>& job);

}  // namespace qscan::supervisor
