// Custom SMTP reply texts for rejects (reference/qmail-queue.md, "Custom reply texts"):
// custom_error = "fd6" (notqmail >= 1.09: exit 82, text on fd 6), "fd4" (the older
// patch simscan uses), or "none" (plain exit codes).
#pragma once

#include <string>

#include "policy/config.h"

namespace qscan::supervisor {

// "D<text>" for a permanent, "Z<text>" for a temporary reply; at most 255 bytes, one line.
std::string make_custom_text(bool permanent, const std::string& text);

// Returns the exit code to exit with: when a custom text is set and custom_error names an
// fd, writes it there (then closes it) and returns 82; otherwise returns `code`.
int finish_with_reply(const policy::Config& config, int code, const std::string& custom_text);

}  // namespace qscan::supervisor
