#include "hardening/worker_identity.h"

#include <pwd.h>
#include <unistd.h>

namespace qscan::hardening {

std::optional<WorkerIdentity> resolve_worker_user(const std::string& name) {
  if (::geteuid() != 0) return std::nullopt;
  for (const std::string& candidate : {name, std::string("nobody")}) {
    if (candidate.empty()) continue;
    if (const passwd* pw = ::getpwnam(candidate.c_str()); pw && pw->pw_uid != 0)
      return WorkerIdentity{pw->pw_uid, pw->pw_gid, candidate};
  }
  return WorkerIdentity{65534, 65534, "65534"};
}

const std::optional<WorkerIdentity>& cached_worker_user(const std::string& name) {
  static std::string cached_name;
  static std::optional<WorkerIdentity> cached;
  static bool resolved = false;
  if (!resolved || cached_name != name) {
    cached = resolve_worker_user(name);
    cached_name = name;
    resolved = true;
  }
  return cached;
}

}  // namespace qscan::hardening
