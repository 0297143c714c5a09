// `qscan check FILE [--envelope-from A] [--rcpt B]... [--json]`: the full sandboxed
// pipeline in dry-run (no qmail-queue, no spool writes); prints the verdict, the part
// tree and the scan results. Exit 0 = would pass, 1 = would be blocked, 2 = error.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int check_command(const std::vector<std::string>& args, const std::string& config_path);

}  // namespace qscan::tools
