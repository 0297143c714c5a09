// Landlock: a worker gets no filesystem rights at all, except (scan worker) beneath its own
// scratch directory; on ABI 4+ no TCP bind/connect; on ABI 6+ no signals to processes
// outside its domain and no abstract unix sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace qscan::hardening {

// The kernel's Landlock ABI version, 0 when Landlock is absent or disabled.
int landlock_abi();

struct LandlockPlan {
  int abi = 0;
  std::uint64_t handled_fs = 0;
  std::uint64_t handled_net = 0;
  std::uint64_t scoped = 0;
  std::uint64_t scratch_rights = 0;  // granted beneath the scratch directory
};
LandlockPlan landlock_plan(int abi, bool with_scratch);
std::string describe_fs_rights(std::uint64_t rights);  // "read_file,write_file,..."

// Restricts the calling process (PR_SET_NO_NEW_PRIVS must be set). Returns false with
// `note` when Landlock is unavailable; `error` is set when it is available but failed.
bool apply_landlock(const std::optional<std::string>& scratch_dir, int* abi, std::string* note,
                    std::string* error);

}  // namespace qscan::hardening
