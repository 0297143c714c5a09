#include "policy/format_checks.h"

#include <string_view>

namespace qscan::policy {

const std::vector<std::string>& known_format_checks() {
  static const std::vector<std::string> names = {
      "broken_continuation",     "header_comment",      "repeated_mime_header",
      "long_boundary",           "differing_filenames", "boundary_twice",
      "exe_ext_in_nonexec_type", "broken_part_header",  "exe_not_application",
      "long_filename",           "double_extension",    "clsid_extension",
      "password_protected_zip",  "nul_in_header",       "cr_in_header",
  };
  return names;
}

std::set<std::string> disabled_format_checks(const Config& config) {
  const std::vector<std::string>& known = known_format_checks();
  std::set<std::string> disabled(known.begin(), known.end());
  for (const std::string& entry : config.format_checks) {
    if (entry == "all") {
      disabled.clear();
    } else if (entry == "none") {
      disabled.insert(known.begin(), known.end());
    } else if (entry.starts_with('-')) {
      const std::string name = entry.substr(1);
      for (const std::string& k : known) {
        if (k == name) disabled.insert(k);
      }
    } else {
      disabled.erase(entry);
    }
  }
  return disabled;
}

}  // namespace qscan::policy
