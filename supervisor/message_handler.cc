#include "supervisor/message_handler.h"

#include "supervisor/envelope.h"
#include "supervisor/exit_codes.h"
#include "supervisor/message_input.h"
#include "supervisor/pipeline.h"
#include "supervisor/spool.h"

namespace qscan::supervisor {

HandleResult handle_message(const policy::Config& config, const workers::ClamEngine& engine,
                            const policy::PolicySet& policy, int message_fd, int envelope_fd,
                            const ClientInfo& client, LogSink& log) {
  InputMessage message;
  std::string error;
  if (int rc = read_message(message_fd, config.max_message_bytes, message, &error); rc != 0) {
    log.event("cannot read message: " + error);
    return {rc, {}};
  }
  std::string envelope_bytes;
  if (int rc = read_envelope(envelope_fd, envelope_bytes, &error); rc != 0) {
    log.event("cannot read envelope: " + error);
    return {rc, {}};
  }
  EnvelopeParse env = parse_envelope(envelope_bytes);
  if (env.exit_code != 0) {
    log.event("envelope refused: " + env.error);
    return {env.exit_code, {}};
  }
  if (message.over_limit) {
    log.event("message from <" + env.envelope.sender + "> larger than max_message_bytes (" +
              std::to_string(config.max_message_bytes) + "): refused permanently");
    return {exit_code::kPermanentReject, {}};
  }
  if (!prepare_spool(config.spool_dir, &error)) {
    log.event("spool: " + error);
    return {exit_code::kWriteError, {}};
  }
  PipelineInput in;
  in.config = &config;
  in.engine = &engine;
  in.policy = &policy;
  in.policy = &policy;
  in.message = &message;
  in.envelope = std::move(env.envelope);
  in.envelope_bytes = std::move(envelope_bytes);
  in.client = client;
  PipelineResult r = process_message(in, log);
  return {r.exit_code, r.custom_text};
}

}  // namespace qscan::supervisor
