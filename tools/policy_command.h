// `qscan policy check FILE`, `qscan policy compile FILE [-o OUT]`, `qscan policy show FILE`:
// Qmail-Scanner's policy file (quarantine-attachments.txt / quarantine-events.txt) checked,
// compiled to the form the supervisor loads (its -g) and printed as a table (its -r).
// Exit 0 ok, 1 bad file (one "FILE:LINE: why" per bad line on stderr), 2 usage.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int policy_command(const std::vector<std::string>& args, const std::string& config_path);

}  // namespace qscan::tools
