// The unprivileged uid/gid workers switch to when the supervisor runs as root (config
// worker_user, default qscanw). Resolved in the supervisor before forking: a sandboxed
// worker cannot read /etc/passwd.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace qscan::hardening {

struct WorkerIdentity {
  uid_t uid = 65534;
  gid_t gid = 65534;
  std::string name;  // the account actually used
};

// nullopt when not running as root (the worker keeps the supervisor's unprivileged uid).
// An unknown account falls back to "nobody", then to 65534.
std::optional<WorkerIdentity> resolve_worker_user(const std::string& name);

// The same, resolved once per process and remembered. Call it in a long-lived parent
// (qscand, the standalone supervisor) before forking, so per-message children inherit the
// answer instead of loading NSS modules and reading /etc/passwd for every message.
const std::optional<WorkerIdentity>& cached_worker_user(const std::string& name);

}  // namespace qscan::hardening
