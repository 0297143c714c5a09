// The unprivileged uid/gid workers switch to (config worker_user, default qscanw), and the
// three capabilities a non-root supervisor keeps to make that switch. Resolved in the
// supervisor before forking: a sandboxed worker cannot read /etc/passwd.
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

// nullopt when this process cannot switch uids (not root and without CAP_SETUID/CAP_SETGID
// in its permitted set): the worker then keeps the supervisor's unprivileged uid. An
// unknown account falls back to "nobody", then to 65534.
std::optional<WorkerIdentity> resolve_worker_user(const std::string& name);

// The same, resolved once per process and remembered. Call it in a long-lived parent
// (qscand, the standalone supervisor) before forking, so per-message children inherit the
// answer instead of loading NSS modules and reading /etc/passwd for every message.
const std::optional<WorkerIdentity>& cached_worker_user(const std::string& name);

// True when CAP_SETUID and CAP_SETGID are in the permitted set (root, or a qscand that kept
// them when it left root): workers can then be given their own uid.
bool can_switch_worker_uid();

// For a daemon started as root: becomes `uid`/`gid` (with `name`'s supplementary groups)
// but keeps CAP_SETUID, CAP_SETGID and CAP_CHOWN in the permitted set only, none
// effective. They are raised for exactly three moments: a worker switching to the worker
// uid (then every capability is dropped), handing a scan scratch dir to the worker uid,
// and taking it back for cleanup.
bool drop_root_keeping_worker_switch(const char* name, uid_t uid, gid_t gid, std::string* error);

// Makes `path` belong to the worker (scan scratch dir). Root, or CAP_CHOWN raised around it.
bool give_to_worker(const std::string& path, const WorkerIdentity& id, std::string* error);

// Takes a tree the worker uid wrote back (chown to us, top down, so that we can list and
// remove it). Best effort: whatever stays is left for `qscan cleanup`.
void take_back_from_worker(const std::string& path);

// Raises the permitted `cap` into the effective set for the life of the object; a no-op for
// root (effective already) or when `cap` is not permitted.
class EffectiveCap {
 public:
  explicit EffectiveCap(int cap);
  ~EffectiveCap();
  EffectiveCap(const EffectiveCap&) = delete;
  EffectiveCap& operator=(const EffectiveCap&) = delete;

 private:
  int cap_;
  bool raised_ = false;
};

}  // namespace qscan::hardening
