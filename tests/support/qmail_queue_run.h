// Test support: run a program the way qmail-smtpd runs $QMAILQUEUE, and read what
// fake-qmail-queue stored.
//
// The declarations live in an inline namespace so that they do not clash at link time with
// tests/scanners' qscan_scanner_test_support, which has its own qscan::testing::TempDir and
// read_file (do not include both headers in one translation unit).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace qscan::testing {
inline namespace qmail_queue_run {

// "F<sender>\0" + "T<rcpt>\0"... + "\0".
std::string make_envelope(const std::string& sender, const std::vector<std::string>& rcpts);

struct RunResult {
  int exit_code = -1;  // WEXITSTATUS, or -1 when killed by a signal
  int signal = 0;      // WTERMSIG, or 0 when it exited
  // Always empty: fd 1 is the envelope input in this protocol. Kept for a uniform shape.
  std::string stdout_text;
  std::string stderr_text;
  std::string fd4_text;  // "qmail-queue custom error" patch (simscan) text
  std::string fd6_text;  // notqmail >= 1.09 custom reply text (exit 82)
  // The run did not finish within timeout_ms: either the process did not exit, or something
  // (a helper it left behind) still held fd 4 or fd 6 open, which would hang qmail-smtpd.
  // Its process group was then killed with SIGKILL.
  bool timed_out = false;
  // The whole message could not be written to fd 0 (the reader closed it or exited first).
  bool message_write_incomplete = false;
};

// Forks and execs `binary` (argv[0] = binary, then `args`) with the parent's environment
// plus `extra_env` (added or overriding). Like qmail-smtpd: the message is written on a pipe
// at fd 0 and closed; then the envelope is written on a pipe at fd 1 and closed (an empty
// envelope closes fd 1 at once: the truncated-message case). fd 2, 4 and 6 are pipes whose
// contents are captured; fd 3 and 5 are closed and nothing else is inherited. The child runs
// in its own process group. Completion = the child exited and fd 4 and fd 6 reached EOF
// (qmail-smtpd reads fd 6 to EOF before waiting); stderr is drained but not waited for.
// Never dies of SIGPIPE. Throws std::runtime_error if the process cannot be started.
RunResult run_qmail_queue_protocol(
    const std::string& binary, const std::vector<std::string>& args, const std::string& message,
    const std::string& envelope, const std::vector<std::pair<std::string, std::string>>& extra_env,
    int timeout_ms = 60000);

struct Delivery {
  std::string name;  // "<n>" without extension
  std::string message, envelope;
};
// Complete deliveries (<n>.env present) in `dir`, sorted by name (= delivery order).
// A missing directory gives an empty list.
std::vector<Delivery> read_deliveries(const std::string& dir);

// Whole file; throws std::runtime_error if it cannot be read.
std::string read_file(const std::string& path);

// mkdtemp under $TMPDIR (or /tmp); removed recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "qscan-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// <build>/tests/fake-qmail-queue
std::string fake_qmail_queue_path();

}  // namespace qmail_queue_run
}  // namespace qscan::testing
