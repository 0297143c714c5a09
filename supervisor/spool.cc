#include "supervisor/spool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "supervisor/maildir.h"

namespace qscan::supervisor {

bool prepare_spool(const std::string& spool_dir, std::string* error) {
  // The spool and work/ are search-only (0711) for others: the scan worker, running as the
  // worker uid, must reach its own scratch directory inside work/ (mode 0700, owned by that
  // uid) but can list nothing. Quarantine and archive stay 0700.
  const std::pair<std::string, mode_t> dirs[] = {
      {spool_dir, 0711}, {spool_dir + "/quarantine", 0700}, {spool_dir + "/work", 0711}};
  for (const auto& [d, mode] : dirs) {
    if (::mkdir(d.c_str(), mode) != 0 && errno != EEXIST) {
      if (error) *error = "mkdir " + d + ": " + std::strerror(errno);
      return false;
    }
    ::chmod(d.c_str(), mode);
  }
  for (const char* c : {"viruses", "policy", "spam"}) {
    if (!ensure_maildir(spool_dir + "/quarantine/" + c, error)) return false;
  }
  if (!ensure_maildir(spool_dir + "/archive", error)) return false;
  if (::access(spool_dir.c_str(), W_OK) != 0) {
    if (error) *error = spool_dir + " is not writable: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool make_scratch_dir(const std::string& parent, std::string& out, std::string* error) {
  std::string tmpl = parent + "/scan.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    if (error) *error = "mkdtemp " + tmpl + ": " + std::strerror(errno);
    return false;
  }
  out = buf.data();
  return true;
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace qscan::supervisor
