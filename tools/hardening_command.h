// `qscan hardening show [--worker NAME] [--format table|markdown|pfc|json]` and
// `qscan selftest [--worker NAME] [--json]`: the worker profiles as an auditor reads them,
// and the forbidden-operation probes run on this host. Exit 0/1 (selftest failed)/2 usage.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int hardening_command(const std::vector<std::string>& args, const std::string& config_path);
int selftest_command(const std::vector<std::string>& args, const std::string& config_path);

}  // namespace qscan::tools
