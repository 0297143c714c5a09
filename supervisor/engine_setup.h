// What a supervisor prepares once before forking workers: decoder libraries initialised
// and the ClamAV engine loaded and compiled (so workers inherit it copy-on-write).
#pragma once

#include <string>

#include "policy/config.h"
#include "policy/policy_rules.h"
#include "workers/scan/clamav_engine.h"

namespace qscan::supervisor {

// Loads config policy_file (text or compiled). A file that does not parse never half-loads:
// false with every reason in `error`, and the caller defers mail with 55.
bool prepare_policy(const policy::Config& config, policy::PolicySet& out, std::string* error);

bool prepare_scanning(const policy::Config& config, workers::ClamEngine& engine,
                      std::string* error);

}  // namespace qscan::supervisor
