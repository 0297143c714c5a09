// Qmail-Scanner's status string and the headers it adds to passed mail
// (reference/qmail-scanner.md, "Headers added to passed mail" and "Status string").
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "supervisor/client_info.h"

namespace qscan::supervisor {

struct SpamSummary {
  bool ran = false;  // false: "SA:0(?/?)" when SpamAssassin was configured but skipped/failed
  bool is_spam = false;
  std::string score;     // as spamd printed it, e.g. "-4.4"
  std::string required;  // e.g. "5.0"
};

struct StatusParts {
  std::string verdict = "Clear";  // "Clear" or the event / virus name
  ClientInfo client;
  bool spam_configured = false;
  SpamSummary spam;
  std::vector<std::string> crypto;  // "PGP(signed)", ... (only with log_crypto)
  std::vector<std::string> dlp;     // DLP-monitored hits let through: "DLP:<name>:"
};

// "Clear:RC:0(1.2.3.4):SA:0(-4.4/5.0):CR:PGP(signed):" — the log form, without the
// final "." that the header form adds.
std::string status_string(const StatusParts& s);

struct ScannerVersion {
  std::string name;     // "clamav", "clamd", "spamassassin"
  std::string version;  // "1.4.6/27000"
};

struct ReportHeaderInput {
  std::string sender;
  const ClientInfo* client = nullptr;
  std::string me;  // this host
  unsigned uid = 0;
  std::vector<ScannerVersion> scanners;
  std::string status;  // status_string()
  double seconds = 0;
  std::time_t when = 0;
};

// "Received: from ... by ... with qscan-<ver>\n (clamav: 1.4.6/0.\n Clear:RC:0(ip):.\n
//  Processed in 0.012 secs); 24 Nov 2026 10:00:00 -0000\n"
std::string received_header(const ReportHeaderInput& in);

// The 2.11 X-Qmail-Scanner-* set, for add_headers = true.
std::string x_qmail_scanner_headers(const ReportHeaderInput& in);

// "%d %b %Y %H:%M:%S -0000" in GMT, C locale.
std::string rfc822_gmt_date(std::time_t t);

// Envelope addresses are bytes from the SMTP client: before they go into a header,
// replace CR, LF and other control bytes so no header can be injected.
std::string header_safe(std::string_view s);

}  // namespace qscan::supervisor
