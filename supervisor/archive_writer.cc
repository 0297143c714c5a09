#include "supervisor/archive_writer.h"

#include <regex>

#include "supervisor/maildir.h"
#include "supervisor/quarantine_writer.h"

namespace qscan::supervisor {

bool should_archive(const policy::Config& c, const Envelope& e) {
  if (c.archive == "false" || c.archive.empty()) return false;
  if (c.archive == "true") return true;
  try {
    const std::regex re(c.archive, std::regex::ECMAScript | std::regex::icase);
    // Addresses are bounded (< 1003 bytes by the envelope parser): safe for std::regex.
    if (std::regex_search(e.sender, re)) return true;
    for (const auto& r : e.recipients)
      if (std::regex_search(r, re)) return true;
  } catch (const std::regex_error&) {
  }
  return false;
}

std::string archive_trailer(const Envelope& e) {
  std::string t =
      "\n*** qscan archive envelope ***\nMAIL FROM:<" + escape_address(e.sender) + ">\n";
  for (const auto& r : e.recipients) t += "RCPT TO:<" + escape_address(r) + ">\n";
  return t;
}

bool write_archive(const std::string& spool_dir, const std::vector<std::string_view>& message,
                   const Envelope& envelope, std::string* name, std::string* error) {
  const std::string trailer = archive_trailer(envelope);
  std::vector<std::string_view> pieces = message;
  pieces.push_back(trailer);
  return maildir_deliver(spool_dir + "/archive", pieces, name, error);
}

}  // namespace qscan::supervisor
