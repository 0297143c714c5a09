#include "supervisor/daemon_scans.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "ipc/arena_reader.h"
#include "ipc/shared_memory.h"
#include "supervisor/worker_runner.h"
#include "workers/daemons/clamd_worker.h"
#include "workers/daemons/pool.h"
#include "workers/daemons/spamd_worker.h"

namespace qscan::supervisor {
namespace {

constexpr std::size_t kDaemonArenaBytes = 1u << 20;
// The worker enforces scanner_timeout_ms on every exchange; the runner's deadline is a
// backstop for a worker that stops making progress altogether.
constexpr std::uint64_t kRunnerSlackMs = 2000;

struct ClientRun {
  bool ok = false;
  std::string failure;
  ipc::DecodedArena decoded;
  DaemonStageTiming timing;
  ipc::SharedArena arena;  // keeps the decoded spans valid
};

void run_client(const policy::Config& cfg, int peer_fd, std::vector<int> keep_fds,
                const std::function<void(ipc::ArenaWriter&)>& job, ClientRun& out) {
  std::string error;
  if (!ipc::create_arena("qscan-daemon-arena", kDaemonArenaBytes, out.arena, &error)) {
    out.failure = "cannot create arena: " + error;
    return;
  }
  WorkerSpec spec;
  spec.kind = hardening::WorkerKind::kDaemonClient;
  spec.timeout_ms = cfg.scanner_timeout_ms * 3 + kRunnerSlackMs;  // connect+send+reply
  spec.memory_bytes = std::min<std::uint64_t>(cfg.worker_memory_mb, 1024) << 20;
  spec.cpu_seconds = cfg.worker_cpu_seconds;
  spec.peer_fd = peer_fd;
  spec.keep_fds = std::move(keep_fds);
  spec.identity = hardening::cached_worker_user(cfg.worker_user);
  spec.enter_namespaces = cfg.worker_namespaces;
  WorkerResult wr = run_worker(spec, out.arena.map.bytes(), job);
  out.timing = {wr.seconds, wr.max_rss_kb};
  if (!wr.ok) {
    out.failure = "worker " + wr.failure;
    return;
  }
  std::string bad =
      ipc::decode_records(ipc::read_arena(out.arena.map.bytes(), {}), {}, out.decoded);
  if (!bad.empty()) {
    out.failure = "worker returned a malformed arena: " + bad;
    return;
  }
  out.ok = true;
}

int timeout_ms(const policy::Config& cfg) {
  return static_cast<int>(std::min<std::uint64_t>(cfg.scanner_timeout_ms, 3600000));
}

}  // namespace

ClamdOutcome run_clamd_stage(const policy::Config& cfg, const InputMessage& message,
                             std::uint64_t sequence) {
  ClamdOutcome out;
  std::string error;
  daemons::PoolConnection conn =
      daemons::connect_pool(cfg.clamd_socket, sequence, timeout_ms(cfg), &error);
  if (!conn.fd) {
    out.unavailable = "clamd unavailable: " + error;
    return out;
  }
  out.address = conn.address;
  const int sock = conn.fd.get();
  const int memfd = message.memfd.get();
  const bool fildes = conn.is_unix && memfd >= 0;
  const auto bytes = message.map.bytes();
  const int tmo = timeout_ms(cfg);
  ClientRun run;
  run_client(
      cfg, sock, fildes ? std::vector<int>{memfd} : std::vector<int>{},
      [&](ipc::ArenaWriter& w) { daemons::run_clamd_scan(sock, memfd, bytes, fildes, tmo, w); },
      run);
  out.timing = run.timing;
  if (!run.ok) {
    out.worker_failure = "clamd client " + run.failure;
    return out;
  }
  for (const auto& s : run.decoded.scanners)
    if (s.scanner == daemons::kClamdScannerName) out.version = ScannerVersion{"clamd", s.version};
  for (const auto& h : run.decoded.hits)
    if (h.scanner == daemons::kClamdScannerName) out.hits.push_back(h);
  if (!run.decoded.scan_errors.empty()) {
    out.unavailable = "clamd (" + conn.address + "): " + run.decoded.scan_errors.front().detail;
  } else if (!run.decoded.scan_done || run.decoded.items_scanned != 1) {
    out.unavailable = "clamd (" + conn.address + ") gave no definitive answer";
  }
  return out;
}

std::string spam_skip_reason(const policy::Config& cfg, const ClientInfo& client,
                             std::uint64_t size) {
  if (client.relay_client && !cfg.sa_relayclient && !client.force_spamassassin)
    return "relay client";
  if (size > cfg.max_spam_bytes) return "over max_spam_bytes";
  return "";
}

SpamOutcome run_spamd_stage(const policy::Config& cfg, const InputMessage& message,
                            const ClientInfo& client, std::uint64_t sequence) {
  SpamOutcome out;
  out.skipped = spam_skip_reason(cfg, client, message.size);
  if (!out.skipped.empty()) return out;
  std::string error;
  daemons::PoolConnection conn =
      daemons::connect_pool(cfg.spamd_socket, sequence, timeout_ms(cfg), &error);
  if (!conn.fd) {
    out.unavailable = "spamd unavailable: " + error;
    return out;
  }
  const int sock = conn.fd.get();
  const auto bytes = message.map.bytes();
  const int tmo = timeout_ms(cfg);
  const std::string user = cfg.spamd_user;
  ClientRun run;
  run_client(
      cfg, sock, {},
      [&](ipc::ArenaWriter& w) { daemons::run_spamd_check(sock, bytes, user, tmo, w); }, run);
  out.timing = run.timing;
  if (!run.ok) {
    out.unavailable = "spamd client " + run.failure;
    return out;
  }
  out.result = daemons::decode_spam_result(run.decoded);
  if (out.result.failed) {
    out.unavailable = "spamd (" + conn.address + "): " + out.result.error;
    return out;
  }
  out.ran = true;
  return out;
}

}  // namespace qscan::supervisor
