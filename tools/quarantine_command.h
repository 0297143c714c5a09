// `qscan quarantine list|show|release|delete`: the quarantine Maildirs under
// <spool>/quarantine/{viruses,policy,spam}.
//
//   list [--class C] [--since AGE] [--json]   one line per message: ID, date, sender,
//                                             recipients, reason (AGE: 30m, 12h, 2d, 1w)
//   show ID                                   envelope, reason, scanners, sizes, top-level
//                                             headers and the MIME part list; never the
//                                             payload
//   release ID [--to ADDR]... [--force]       re-injects the original bytes (the file minus
//                                             the X-Qmail-Scanner-* block) through
//                                             qmail_queue with the recorded envelope or the
//                                             --to recipients; the message goes straight to
//                                             qmail-queue and is NOT rescanned. The file
//                                             moves to cur/<name>:2,PS and release.log
//                                             records date, ID, who and recipients.
//   delete ID                                 removes the file; logged in release.log
//
// Exit codes: 0 ok, 1 failure (not found, qmail-queue refused, I/O), 2 usage or bad ID.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int quarantine_command(const std::vector<std::string>& args, const std::string& config_path);

// Who runs the command, for release.log: $SUDO_USER when root runs it through sudo, else the
// login name of getuid(), else "uid N".
std::string invoking_user();

}  // namespace qscan::tools
