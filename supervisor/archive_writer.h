// The archive Maildir (config `archive`): a copy of each passed message, as delivered, with
// the envelope appended at the bottom as Qmail-Scanner does, so the archive answers "who
// really received this". DLP-monitored messages are always archived.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/config.h"
#include "supervisor/envelope.h"

namespace qscan::supervisor {

// archive = "false" → never; "true" → always; otherwise a case-insensitive regex searched in
// the envelope sender and each recipient. A regex that does not compile archives nothing
// (the config loader refuses such a file, so this is only a guard).
bool should_archive(const policy::Config& config, const Envelope& envelope);

// The trailer appended after the message:
//   \n*** qscan archive envelope ***\nMAIL FROM:<sender>\nRCPT TO:<rcpt>\n...
std::string archive_trailer(const Envelope& envelope);

bool write_archive(const std::string& spool_dir, const std::vector<std::string_view>& message,
                   const Envelope& envelope, std::string* name, std::string* error);

}  // namespace qscan::supervisor
