// A quarantined message: the original bytes, unaltered, below headers that record the
// envelope, the reason and the scanners, so `qscan quarantine release` can re-inject it
// with its envelope. Envelope addresses are escaped (\xNN for control bytes and '\')
// so they survive any byte qmail accepted, and decode back exactly.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "supervisor/envelope.h"
#include "supervisor/verdict.h"

namespace qscan::supervisor {

inline constexpr std::string_view kHdrMailFrom = "X-Qmail-Scanner-Mail-From";
inline constexpr std::string_view kHdrRcptTo = "X-Qmail-Scanner-Rcpt-To";
// How many Rcpt-To lines follow: it ends our block, so a message that itself starts with
// an X-Qmail-Scanner-Rcpt-To: line cannot add a recipient on release.
inline constexpr std::string_view kHdrRcptCount = "X-Qmail-Scanner-Rcpt-Count";
inline constexpr std::string_view kHdrReason = "X-Qmail-Scanner-Quarantine-Reason";
inline constexpr std::string_view kHdrDescription = "X-Qmail-Scanner-Quarantine-Description";
inline constexpr std::string_view kHdrScanners = "X-Qmail-Scanner-Scanners";
inline constexpr std::string_view kHdrDate = "X-Qmail-Scanner-Quarantine-Date";

struct QuarantineInput {
  const Envelope& envelope;
  const Verdict& verdict;
  std::string scanners;
  std::string_view message;
  std::time_t when = 0;
};

std::string quarantine_headers(const QuarantineInput& q);

bool write_quarantine(const std::string& maildir, const QuarantineInput& q, std::string* name,
                      std::string* error);

std::string escape_address(std::string_view a);
// Inverse of escape_address; false on a malformed escape.
bool unescape_address(std::string_view s, std::string& out);

}  // namespace qscan::supervisor
