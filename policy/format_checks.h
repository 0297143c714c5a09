// Format checks (Qmail-Scanner's "bad MIME" family) and the `format_checks` key that
// switches them on and off.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "policy/config.h"

namespace qscan::policy {

// Every check name the decode worker knows, in a stable order.
const std::vector<std::string>& known_format_checks();

// Evaluates `format_checks` in order, starting with every check disabled: "all" enables all,
// "none" disables all, "name" enables one, "-name" disables one. Returns the known checks
// left disabled (the default {"all"} gives an empty set). Unknown names are ignored here;
// the loader rejects them.
std::set<std::string> disabled_format_checks(const Config& config);

}  // namespace qscan::policy
