// qmail-scanner-standalone: the supervisor for one message, exec'd by qmail-scanner-queue
// when qscand does not answer and standalone_fallback is on (same fds: message on 0,
// envelope on 1). Loads config, policy and the ClamAV engine, then runs the same pipeline
// qscand's per-message children run.
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

namespace {

using namespace qscan;
using namespace qscan::supervisor;

int fail_early(const std::string& what, int code) {
  std::string line = "qmail-scanner-standalone: " + what + " (exit " + std::to_string(code) + ")\n";
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

  set_host_name(config->hostname);
  LogSink log(*config);
  policy::PolicySet rules;
  if (!prepare_policy(*config, rules, &error)) {
    log.event(error + "; mail deferred until it is fixed");
    return fail_early(error, exit_code::kConfigError);
  }
  workers::ClamEngine engine;
  if (!prepare_scanning(*config, engine, &error)) {
    log.event("scanner setup: " + error);
    return fail_early("scanner setup: " + error, exit_code::kConfigError);
  }
  HandleResult r = handle_message(*config, engine, rules, 0, 1, client_from_environment(), log);
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
