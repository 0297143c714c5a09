#include "supervisor/engine_setup.h"

#include <algorithm>

#include "hardening/worker_identity.h"
#include "policy/policy_rules.h"
#include "workers/decode_worker.h"

namespace qscan::supervisor {

bool prepare_policy(const policy::Config& config, policy::PolicySet& out, std::string* error) {
  std::string why;
  if (policy::load_policy(config.policy_file, out, &why)) return true;
  if (error) *error = "policy file: " + why;
  return false;
}

bool prepare_scanning(const policy::Config& config, workers::ClamEngine& engine,
                      std::string* error) {
  workers::init_decoders();
  hardening::cached_worker_user(config.worker_user);  // resolved here, inherited by children
  // Only the in-worker scanner needs the engine; clamd/spamd-only sites skip the load.
  if (std::find(config.scanners.begin(), config.scanners.end(), "clamav") == config.scanners.end())
    return true;
  workers::ClamLimits limits;
  limits.max_scan_bytes = config.max_decoded_bytes;
  limits.max_file_bytes = config.max_file_bytes;
  limits.max_recursion = static_cast<std::uint32_t>(config.max_depth);
  limits.max_files = static_cast<std::uint32_t>(config.max_archive_entries);
  limits.max_scan_ms = static_cast<std::uint32_t>(config.worker_timeout_ms);
  const auto dirs =
      config.clamav_db_dirs.empty() ? workers::default_db_dirs() : config.clamav_db_dirs;
  return engine.load(dirs, limits, error);
}

}  // namespace qscan::supervisor
