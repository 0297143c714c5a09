// `qscan test-install [--entry PATH]`: Qmail-Scanner's contrib/test_installation.sh. Builds
// four messages addressed to the config's admin_address:
//   1. a clean text message
//   2. an attachment "Eicar.com" holding 68 '0's and a newline (69 bytes): harmless, caught
//      only by a policy rule on name + size if the site has one
//   3. the real EICAR test string as "sneaky.txt"
//   4. a GTUBE spam message (run with QS_SPAMASSASSIN=on)
// and feeds each to the entry point (default: the qmail-scanner-queue next to this qscan)
// exactly as qmail-smtpd does: message on fd 0, envelope on fd 1. Then it looks in the
// quarantine Maildirs and mailstats.csv for each message's unique Message-ID and prints the
// exit code and what happened (delivered / quarantined <class> <reason> / deferred /
// rejected). Exit 0 when the clean message was delivered and the real EICAR quarantined,
// 1 otherwise, 2 usage.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int test_install_command(const std::vector<std::string>& args, const std::string& config_path);

}  // namespace qscan::tools
