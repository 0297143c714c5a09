// The clamd and spamd stages of the pipeline. The supervisor connects (workers may not
// create sockets), a confined daemon-client worker speaks the protocol over that one
// descriptor and writes the arena, and the supervisor re-validates what comes back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/records.h"
#include "policy/config.h"
#include "supervisor/client_info.h"
#include "supervisor/message_input.h"
#include "supervisor/scan_report.h"
#include "workers/daemons/spam_result.h"

namespace qscan::supervisor {

struct DaemonStageTiming {
  double seconds = 0;
  long max_rss_kb = 0;
};

struct ClamdOutcome {
  std::vector<ipc::ScanHitRecord> hits;
  std::optional<ScannerVersion> version;
  std::optional<std::string> unavailable;     // down, slow, garbage: the message defers
  std::optional<std::string> worker_failure;  // the confined client itself failed
  std::string address;                        // the pool member that answered
  DaemonStageTiming timing;
};

// `sequence` rotates the pool's first address (qscand: one per message).
ClamdOutcome run_clamd_stage(const policy::Config& config, const InputMessage& message,
                             std::uint64_t sequence);

struct SpamOutcome {
  bool ran = false;     // spamd gave a usable answer
  std::string skipped;  // why it did not run ("relay client", "over max_spam_bytes")
  std::optional<std::string> unavailable;  // spamd down/slow/garbage: config spam_failure
  daemons::SpamResult result;
  DaemonStageTiming timing;
};

// Qmail-Scanner's rules: not for RELAYCLIENT (unless sa_relayclient or QS_SPAMASSASSIN=on),
// not over max_spam_bytes (as spamc skips large mail).
std::string spam_skip_reason(const policy::Config& config, const ClientInfo& client,
                             std::uint64_t message_size);

SpamOutcome run_spamd_stage(const policy::Config& config, const InputMessage& message,
                            const ClientInfo& client, std::uint64_t sequence);

}  // namespace qscan::supervisor
