// qmail-scanner-queue: run by qmail-smtpd (via $QMAILQUEUE) with the message on fd 0 and
// the envelope on fd 1; answers with a qmail-queue(8) exit code.
#include <signal.h>
#include <unistd.h>

#include <string>

#include "policy/config.h"
#include "supervisor/client_info.h"
#include "supervisor/engine_setup.h"
#include "supervisor/envelope.h"
#include "supervisor/exit_codes.h"
#include "supervisor/host_name.h"
#include "supervisor/log_sink.h"
#include "supervisor/message_input.h"
#include "supervisor/pipeline.h"
#include "supervisor/spool.h"

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
  set_host_name(config->hostname);
  LogSink log(*config);

  InputMessage message;
  std::string error;
  if (int rc = read_message(0, config->max_message_bytes, message, &error); rc != 0) {
    log.event("cannot read message: " + error);
    return rc;
  }
  std::string envelope_bytes;
  if (int rc = read_envelope(1, envelope_bytes, &error); rc != 0) {
    log.event("cannot read envelope: " + error);
    return rc;
  }
  EnvelopeParse env = parse_envelope(envelope_bytes);
  if (env.exit_code != 0) {
    log.event("envelope refused: " + env.error);
    return env.exit_code;
  }
  if (message.over_limit) {
    log.event("message from <" + env.envelope.sender + "> larger than max_message_bytes (" +
              std::to_string(config->max_message_bytes) + "): refused permanently");
    return exit_code::kPermanentReject;
  }
  if (!prepare_spool(config->spool_dir, &error)) {
    log.event("spool: " + error);
    return exit_code::kWriteError;
  }
  workers::ClamEngine engine;
  if (!prepare_scanning(*config, engine, &error)) {
    log.event("scanner setup: " + error);
    return exit_code::kConfigError;
  }
  PipelineInput in;
  in.config = &*config;
  in.engine = &engine;
  in.message = &message;
  in.envelope = std::move(env.envelope);
  in.envelope_bytes = std::move(envelope_bytes);
  in.client = client_from_environment();
  PipelineResult r = process_message(in, log);
  return r.exit_code;
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
