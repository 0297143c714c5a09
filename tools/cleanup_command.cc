#include "tools/cleanup_command.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "policy/config.h"
#include "tools/quarantine_store.h"

namespace qscan::tools {
namespace {

std::string printable(std::string s) {
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return s;
}

// Removes the entries of `dir` whose mtime is before `cutoff`; returns how many.
int sweep(const std::string& dir, std::time_t cutoff, bool dry_run, CleanupStats& st,
          std::ostream& out, std::ostream& err) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno != ENOENT) {
      err << "qscan cleanup: cannot read " << printable(dir) << ": " << std::strerror(errno)
          << "\n";
      ++st.failed;
    }
    return 0;
  }
  std::vector<std::string> names;
  while (dirent* de = ::readdir(d)) {
    const std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  int removed = 0;
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    struct stat s {};
    if (::lstat(path.c_str(), &s) != 0) continue;  // gone meanwhile (or unreadable: skip)
    if (s.st_mtime >= cutoff) {
      ++st.kept;
      continue;
    }
    if (!dry_run) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
      if (ec && ec != std::errc::no_such_file_or_directory) {
        err << "qscan cleanup: cannot remove " << printable(path) << ": " << ec.message() << "\n";
        ++st.failed;
        continue;
      }
    }
    out << (dry_run ? "would remove " : "removed ") << printable(path) << "\n";
    ++removed;
  }
  return removed;
}

}  // namespace

CleanupStats run_cleanup(const std::string& spool_dir, unsigned long long quarantine_days,
                         std::time_t now, bool dry_run, std::ostream& out, std::ostream& err) {
  CleanupStats st;
  const std::time_t work_cutoff = now - kWorkMaxAgeSeconds;
  st.work += sweep(spool_dir + "/work", work_cutoff, dry_run, st, out, err);
  for (auto cls : kQuarantineClasses) {
    const std::string q = spool_dir + "/quarantine/" + std::string(cls);
    st.tmp += sweep(q + "/tmp", work_cutoff, dry_run, st, out, err);
    if (quarantine_days > 0) {
      const std::time_t cutoff = now - static_cast<std::time_t>(quarantine_days) * 86400;
      st.quarantined += sweep(q + "/new", cutoff, dry_run, st, out, err);
      st.quarantined += sweep(q + "/cur", cutoff, dry_run, st, out, err);
    }
  }
  st.tmp += sweep(spool_dir + "/archive/tmp", work_cutoff, dry_run, st, out, err);
  return st;
}

int cleanup_command(const std::vector<std::string>& args, const std::string& config_path) {
  bool dry_run = false;
  for (const auto& a : args) {
    if (a == "--dry-run" || a == "-n") {
      dry_run = true;
    } else {
      std::cerr << "usage: qscan cleanup [--dry-run]\n";
      return 2;
    }
  }
  policy::ConfigError cerr;
  auto cfg = policy::load_config(config_path, &cerr);
  if (!cfg) {
    std::cerr << "qscan cleanup: " << cerr.to_string() << "\n";
    return 1;
  }
  const CleanupStats st = run_cleanup(cfg->spool_dir, cfg->quarantine_days, std::time(nullptr),
                                      dry_run, std::cout, std::cerr);
  std::cout << "cleanup" << (dry_run ? " (dry run)" : "") << ": "
            << (dry_run ? "would remove " : "removed ") << st.work << " work entries, " << st.tmp
            << " unfinished tmp files, " << st.quarantined << " quarantined messages older than "
            << (cfg->quarantine_days ? std::to_string(cfg->quarantine_days) + " days"
                                     : std::string("(quarantine_days = 0: kept forever)"))
            << "; " << st.kept << " kept";
  if (st.failed) std::cout << "; " << st.failed << " failed";
  std::cout << "\n";
  return st.failed ? 1 : 0;
}

}  // namespace qscan::tools
