#include "hardening/worker_identity.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace qscan::hardening {
namespace {

bool cap_in(cap_flag_t set, cap_value_t cap) {
  cap_t c = ::cap_get_proc();
  if (c == nullptr) return false;
  cap_flag_value_t v = CAP_CLEAR;
  ::cap_get_flag(c, cap, set, &v);
  ::cap_free(c);
  return v == CAP_SET;
}

bool set_effective(cap_value_t cap, cap_flag_value_t value) {
  cap_t c = ::cap_get_proc();
  if (c == nullptr) return false;
  bool ok = ::cap_set_flag(c, CAP_EFFECTIVE, 1, &cap, value) == 0 && ::cap_set_proc(c) == 0;
  ::cap_free(c);
  return ok;
}

// lchown as the supervisor's own uid/gid, recursing into directories after the chown made
// them ours (a 0700 directory of the worker uid cannot be listed before).
void take_back(const std::filesystem::path& p, uid_t uid, gid_t gid, int depth) {
  if (::lchown(p.c_str(), uid, gid) != 0 || depth > 64) return;
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  ::chmod(p.c_str(), 0700);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(p, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    take_back(it->path(), uid, gid, depth + 1);
}

}  // namespace

EffectiveCap::EffectiveCap(int cap) : cap_(cap) {
  if (::geteuid() == 0 || !cap_in(CAP_PERMITTED, cap_) || cap_in(CAP_EFFECTIVE, cap_)) return;
  raised_ = set_effective(cap_, CAP_SET);
}

EffectiveCap::~EffectiveCap() {
  if (raised_) set_effective(cap_, CAP_CLEAR);
}

bool can_switch_worker_uid() {
  return ::geteuid() == 0 ||
         (cap_in(CAP_PERMITTED, CAP_SETUID) && cap_in(CAP_PERMITTED, CAP_SETGID));
}

std::optional<WorkerIdentity> resolve_worker_user(const std::string& name) {
  if (!can_switch_worker_uid()) return std::nullopt;
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

bool drop_root_keeping_worker_switch(const char* name, uid_t uid, gid_t gid, std::string* error) {
  auto fail = [&](const char* what) {
    if (error) *error = std::string(what) + ": " + std::strerror(errno);
    return false;
  };
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail("PR_SET_KEEPCAPS");
  if (::initgroups(name, gid) != 0) return fail("initgroups");
  if (::setresgid(gid, gid, gid) != 0) return fail("setresgid");
  if (::setresuid(uid, uid, uid) != 0) return fail("setresuid");
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  cap_t c = ::cap_init();
  if (c == nullptr) return fail("cap_init");
  const cap_value_t keep[] = {CAP_SETUID, CAP_SETGID, CAP_CHOWN};
  const bool ok = ::cap_set_flag(c, CAP_PERMITTED, 3, keep, CAP_SET) == 0 && ::cap_set_proc(c) == 0;
  ::cap_free(c);
  if (!ok) return fail("cap_set_proc");
  // Dropping root cleared "dumpable"; it stays off: nobody of our uid may ptrace us.
  return true;
}

bool give_to_worker(const std::string& path, const WorkerIdentity& id, std::string* error) {
  EffectiveCap chown_cap(CAP_CHOWN);
  if (::chown(path.c_str(), id.uid, id.gid) == 0) return true;
  if (error) *error = "chown " + path + ": " + std::strerror(errno);
  return false;
}

void take_back_from_worker(const std::string& path) {
  EffectiveCap chown_cap(CAP_CHOWN);
  take_back(path, ::getuid(), ::getgid(), 0);
}

}  // namespace qscan::hardening
