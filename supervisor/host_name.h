#pragma once

#include <string>

namespace qscan::supervisor {

// This host's name (gethostname), cached; config `hostname` overrides via set_host_name.
const std::string& host_name();
void set_host_name(const std::string& name);

}  // namespace qscan::supervisor
