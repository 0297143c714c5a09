// `qscan selftest`: for each worker kind, fork a worker, sandbox it exactly as production
// does, attempt one forbidden operation, and report what the kernel did to it.
#pragma once

#include <string>
#include <vector>

#include "hardening/sandbox.h"

namespace qscan::hardening {

enum class ProbeOutcome { kKilled, kDenied, kAllowed, kError };
const char* outcome_name(ProbeOutcome o);  // "KILLED", "DENIED", "ALLOWED", "ERROR"

struct ProbeResult {
  WorkerKind kind;
  std::string probe;  // "open-spool-file", "socket", ...
  ProbeOutcome outcome;
  std::string detail;  // "SIGSYS", "EACCES", ...
};

const std::vector<std::string>& probe_names();

// Runs every probe against every kind (or one kind). `spool_file` is an existing file the
// worker tries to open (default: a temp file made for the purpose). `identity` as for
// production when running as root. Needs a single-threaded caller (it forks).
std::vector<ProbeResult> run_selftest(const std::vector<WorkerKind>& kinds,
                                      const SandboxOptions& base);

// True when nothing forbidden was ALLOWED and nothing failed to run.
bool selftest_passed(const std::vector<ProbeResult>& results);

}  // namespace qscan::hardening
