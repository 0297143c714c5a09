// Test support: start qscand --foreground the way the qscand tests need it.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace qscan::testing {

// Forks and execs `bin` --foreground --config `config` in its own process group, with fd 0
// and fd 1 on /dev/null, fd 2 appended to `stderr_path`, QSCAN_LOG_STDERR=1,
// FAKE_QMAIL_QUEUE_DIR=`store` and QSCAN_TEST_FAULT unset, then every pair of `env`.
// Returns the pid (also the process group id), or -1 if fork failed. Does not wait for the
// socket.
pid_t start_qscand(const std::string& bin, const std::string& config,
                   const std::string& stderr_path, const std::string& store,
                   const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace qscan::testing
