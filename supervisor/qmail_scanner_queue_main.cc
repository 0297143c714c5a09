// qmail-scanner-queue: run by qmail-smtpd (via $QMAILQUEUE) with the message on fd 0 and
// the envelope on fd 1; answers with a qmail-queue(8) exit code. It is only the thin client:
// it links no scanner or decoder library (startup cost is paid on every SMTP transaction).
// When qscand answers on daemon_socket it hands over fds 0 and 1 and waits; otherwise, if
// standalone_fallback allows, it execs qmail-scanner-standalone (same directory), which is
// the supervisor itself, with the same descriptors.
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <string>

#include "policy/config.h"
#include "supervisor/custom_reply.h"
#include "supervisor/exit_codes.h"
#include "supervisor/thin_client.h"

namespace {

using namespace qscan;
using namespace qscan::supervisor;

int fail_early(const std::string& what, int code) {
  std::string line = "qmail-scanner-queue: " + what + " (exit " + std::to_string(code) + ")\n";
  ssize_t w = ::write(2, line.data(), line.size());
  (void)w;
  return code;
}

std::string standalone_path() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "qmail-scanner-standalone";
  std::string self(buf, static_cast<std::size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + "qmail-scanner-standalone";
}

int run(char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  policy::ConfigError cerr;
  auto config = policy::load_config("", &cerr);
  if (!config) return fail_early("config: " + cerr.to_string(), exit_code::kConfigError);

  std::string error;
  if (auto r = run_thin_client(config->daemon_socket, &error)) {
    if (r->exit_code != 0 && !error.empty()) fail_early(error, r->exit_code);
    return finish_with_reply(*config, r->exit_code, r->custom_text);
  }
  if (!config->standalone_fallback)
    return fail_early("qscand not answering (" + error + ") and standalone_fallback is off",
                      exit_code::kTemporaryReject);
  const std::string path = standalone_path();
  ::signal(SIGPIPE, SIG_DFL);
  argv[0] = const_cast<char*>(path.c_str());
  ::execv(path.c_str(), argv);
  return fail_early("cannot run " + path + ": " + std::strerror(errno),
                    exit_code::kTemporaryReject);
}

}  // namespace

int main(int, char** argv) {
  try {
    return run(argv);
  } catch (const std::bad_alloc&) {
    return fail_early("out of memory", exit_code::kOutOfMemory);
  } catch (const std::exception& e) {
    return fail_early(std::string("internal error: ") + e.what(), exit_code::kInternalBug);
  }
}
