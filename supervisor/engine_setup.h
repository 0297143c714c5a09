// What a supervisor prepares once before forking workers: decoder libraries initialised
// and the ClamAV engine loaded and compiled (so workers inherit it copy-on-write).
#pragma once

#include <string>

#include "policy/config.h"
#include "workers/scan/clamav_engine.h"

namespace qscan::supervisor {

bool prepare_scanning(const policy::Config& config, workers::ClamEngine& engine,
                      std::string* error);

}  // namespace qscan::supervisor
