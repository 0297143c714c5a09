#include "hardening/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qscan::hardening {
namespace {

// Newer than Debian 12's kernel headers: defined here by their ABI values.
constexpr std::uint64_t kFsTruncate = 1ull << 14;  // ABI 3
constexpr std::uint64_t kFsIoctlDev = 1ull << 15;  // ABI 5
constexpr std::uint64_t kNetBindTcp = 1ull << 0;   // ABI 4
constexpr std::uint64_t kNetConnectTcp = 1ull << 1;
constexpr std::uint64_t kScopeAbstractUnix = 1ull << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ull << 1;

struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;
  std::uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
  std::uint64_t allowed_access;
  std::int32_t parent_fd;
};

const struct {
  std::uint64_t bit;
  const char* name;
} kFsNames[] = {
    {LANDLOCK_ACCESS_FS_EXECUTE, "execute"},
    {LANDLOCK_ACCESS_FS_WRITE_FILE, "write_file"},
    {LANDLOCK_ACCESS_FS_READ_FILE, "read_file"},
    {LANDLOCK_ACCESS_FS_READ_DIR, "read_dir"},
    {LANDLOCK_ACCESS_FS_REMOVE_DIR, "remove_dir"},
    {LANDLOCK_ACCESS_FS_REMOVE_FILE, "remove_file"},
    {LANDLOCK_ACCESS_FS_MAKE_CHAR, "make_char"},
    {LANDLOCK_ACCESS_FS_MAKE_DIR, "make_dir"},
    {LANDLOCK_ACCESS_FS_MAKE_REG, "make_reg"},
    {LANDLOCK_ACCESS_FS_MAKE_SOCK, "make_sock"},
    {LANDLOCK_ACCESS_FS_MAKE_FIFO, "make_fifo"},
    {LANDLOCK_ACCESS_FS_MAKE_BLOCK, "make_block"},
    {LANDLOCK_ACCESS_FS_MAKE_SYM, "make_sym"},
    {1ull << 13, "refer"},
    {kFsTruncate, "truncate"},
    {kFsIoctlDev, "ioctl_dev"},
};

}  // namespace

int landlock_abi() {
  const long v = ::syscall(SYS_landlock_create_ruleset, nullptr, 0,
                           static_cast<unsigned>(LANDLOCK_CREATE_RULESET_VERSION));
  return v > 0 ? static_cast<int>(v) : 0;
}

LandlockPlan landlock_plan(int abi, bool with_scratch) {
  LandlockPlan p;
  p.abi = abi;
  if (abi <= 0) return p;
  p.handled_fs = (1ull << 13) - 1;  // ABI 1: execute .. make_sym
  if (abi >= 2) p.handled_fs |= 1ull << 13;
  if (abi >= 3) p.handled_fs |= kFsTruncate;
  if (abi >= 5) p.handled_fs |= kFsIoctlDev;
  if (abi >= 4) p.handled_net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 6) p.scoped = kScopeAbstractUnix | kScopeSignal;
  if (with_scratch) {
    p.scratch_rights = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
                       LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                       LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
                       LANDLOCK_ACCESS_FS_MAKE_REG;
    if (abi >= 3) p.scratch_rights |= kFsTruncate;
  }
  return p;
}

std::string describe_fs_rights(std::uint64_t rights) {
  std::string s;
  for (const auto& n : kFsNames) {
    if (rights & n.bit) s += (s.empty() ? "" : ",") + std::string(n.name);
  }
  return s.empty() ? "none" : s;
}

bool apply_landlock(const std::optional<std::string>& scratch_dir, int* abi_out, std::string* note,
                    std::string* error) {
  const int abi = landlock_abi();
  if (abi_out) *abi_out = abi;
  if (abi == 0) {
    if (note) *note = "landlock unavailable (" + std::string(std::strerror(errno)) + ")";
    return false;
  }
  const LandlockPlan plan = landlock_plan(abi, scratch_dir.has_value());
  RulesetAttr attr{plan.handled_fs, plan.handled_net, plan.scoped};
  const std::size_t attr_size = abi >= 6 ? sizeof(RulesetAttr) : abi >= 4 ? 16 : 8;
  const int ruleset = static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0));
  if (ruleset < 0) {
    if (error) *error = std::string("landlock_create_ruleset: ") + std::strerror(errno);
    return false;
  }
  bool ok = true;
  if (scratch_dir) {
    const int dir = ::open(scratch_dir->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    PathBeneathAttr rule{plan.scratch_rights, dir};
    if (dir < 0 ||
        ::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
      if (error) *error = "landlock rule for " + *scratch_dir + ": " + std::strerror(errno);
      ok = false;
    }
    if (dir >= 0) ::close(dir);
  }
  if (ok && ::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
    if (error) *error = std::string("landlock_restrict_self: ") + std::strerror(errno);
    ok = false;
  }
  ::close(ruleset);
  return ok;
}

}  // namespace qscan::hardening
