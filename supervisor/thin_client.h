// The thin QMAILQUEUE client: hands fd 0 and fd 1 to qscand over its unix socket with the
// environment qscan needs, and waits for the exit code. No privilege, no scanning code.
#pragma once

#include <optional>
#include <string>

namespace qscan::supervisor {

struct ThinClientResult {
  int exit_code = 0;
  std::string custom_text;
};

// nullopt when nothing listens on `socket_path` (no socket, connection refused): the
// caller falls back to standalone mode or defers. Once connected, every failure is an
// answer: a daemon that dies before replying gives 71.
std::optional<ThinClientResult> run_thin_client(const std::string& socket_path, std::string* error);

}  // namespace qscan::supervisor
