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
  for (const std::string& d : {spool_dir, spool_dir + "/quarantine", spool_dir + "/work"}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
      if (error) *error = "mkdir " + d + ": " + std::strerror(errno);
      return false;
    }
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
