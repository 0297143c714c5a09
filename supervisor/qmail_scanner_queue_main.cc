// qmail-scanner-queue: run by qmail-smtpd (via $QMAILQUEUE) with the message on fd 0 and
// the envelope on fd 1; answers with a qmail-queue(8) exit code. When qscand answers on
// daemon_socket it is only a thin client; otherwise, if standalone_fallback allows, it is
// the supervisor itself.
#include <signal.h>
#include <unistd.h>

#include <string>

#include "policy/config.h"
#include "supervisor/client_info.h"
#include "supervisor/custom_reply.h"
#include "supervisor/engine_setup.h"
#include "supervisor/exit_codes.h"
#include "supervisor/host_name.h"
#include "supervisor/log_sink.h"
#include "supervisor/message_handler.h"
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

int run() {
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

  set_host_name(config->hostname);
  LogSink log(*config);
  workers::ClamEngine engine;
  if (!prepare_scanning(*config, engine, &error)) {
    log.event("scanner setup: " + error);
    return fail_early("scanner setup: " + error, exit_code::kConfigError);
  }
  HandleResult r = handle_message(*config, engine, 0, 1, client_from_environment(), log);
  return finish_with_reply(*config, r.exit_code, r.custom_text);
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::bad_alloc&) {
    return fail_early("out of memory", exit_code::kOutOfMemory);
  } catch (const std::exception& e) {
    return fail_early(std::string("internal error: ") + e.what(), exit_code::kInternalBug);
  }
}
