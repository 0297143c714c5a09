// Everything a supervisor does for one SMTP transaction, from the raw fds to the exit
// code: shared by standalone qmail-scanner-queue and qscand's per-message child.
#pragma once

#include <string>

#include "policy/config.h"
#include "policy/policy_rules.h"
#include "supervisor/client_info.h"
#include "supervisor/log_sink.h"
#include "workers/scan/clamav_engine.h"

namespace qscan::supervisor {

struct HandleResult {
  int exit_code = 0;
  std::string custom_text;  // custom SMTP reply text for reject mode ("D..." / "Z...")
};

// Reads the message from `message_fd` to EOF, then the envelope from `envelope_fd`, and
// runs the pipeline. `engine` must be loaded.
HandleResult handle_message(const policy::Config& config, const workers::ClamEngine& engine,
                            const policy::PolicySet& policy, int message_fd, int envelope_fd,
                            const ClientInfo& client, LogSink& log);

}  // namespace qscan::supervisor
