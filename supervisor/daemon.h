// qscand: the resident supervisor. Loads config, policy and the ClamAV engine once,
// listens on a unix socket, and forks one supervisor child per message (which inherits
// the compiled engine copy-on-write and runs exactly the standalone code).
#pragma once

#include <string>

namespace qscan::supervisor {

struct DaemonOptions {
  std::string config_path;  // "" = $QSCAN_CONFIG or /etc/qscan/qscan.toml
  bool foreground = true;
};

// Runs until SIGTERM/SIGINT; returns the process exit status.
int run_daemon(const DaemonOptions& options);

}  // namespace qscan::supervisor
