// `qscan cleanup [--dry-run]`: Qmail-Scanner's -z, safe to run from cron while mail flows.
//   <spool>/work/*                         scratch dirs older than 30 hours (leftovers of a
//                                          crashed supervisor; a live one is minutes old)
//   <spool>/quarantine/*/tmp/*, archive/tmp/*  unfinished Maildir writes older than 30 hours
//   <spool>/quarantine/*/{new,cur}/*       quarantined messages older than quarantine_days
//                                          (0 = keep forever)
// Age is the file's mtime (lstat; symlinks are removed, never followed). Prints every path
// it removes ("would remove" with --dry-run) and a summary. Entries that vanish meanwhile
// (ENOENT) are ignored. Exit 0 ok, 1 some removal failed, 2 usage.
#pragma once

#include <ctime>
#include <iosfwd>
#include <string>
#include <vector>

namespace qscan::tools {

inline constexpr std::time_t kWorkMaxAgeSeconds = 30 * 3600;

int cleanup_command(const std::vector<std::string>& args, const std::string& config_path);

struct CleanupStats {
  int work = 0, tmp = 0, quarantined = 0, failed = 0, kept = 0;
};

// The work horse, with `now` given (tests). Prints to `out`/`err`.
CleanupStats run_cleanup(const std::string& spool_dir, unsigned long long quarantine_days,
                         std::time_t now, bool dry_run, std::ostream& out, std::ostream& err);

}  // namespace qscan::tools
