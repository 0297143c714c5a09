// Alerts after a quarantine (config notify/lang/admin_address/forging_viruses): who is told
// is decided by policy/notify.h; this queues one message per target through the real
// qmail-queue with an empty envelope sender (never through $QMAILQUEUE, so never re-scanned).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "policy/config.h"
#include "supervisor/envelope.h"
#include "supervisor/log_sink.h"
#include "supervisor/verdict.h"

namespace qscan::supervisor {

struct NotifyContext {
  const Envelope* envelope = nullptr;
  const Verdict* verdict = nullptr;
  std::vector<std::pair<std::string, std::string>> headers;  // decoded top-level headers
  std::string subject, message_id, quarantine_id, scanners;
};

// Where shipped data lives: <exe dir>/../share/qscan (the build tree mirrors an install).
std::string shared_data_dir();

// Returns how many alerts were queued; every failure is logged (an alert that cannot be
// sent never changes the message's own exit code: it is already safely quarantined).
int send_notifications(const policy::Config& config, const NotifyContext& ctx, LogSink& log);

}  // namespace qscan::supervisor
