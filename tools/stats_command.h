// `qscan stats [--since 7d] [--log FILE] [--syslog FILE] [--svg DIR] [--json]`: counts of
// the per-recipient log lines (clean, virus, policy, spam, greylist, dlp, deferred;
// incoming vs relay-client) per hour and per day, from <spool_dir>/mailstats.csv (default),
// a given mailstats file, or a syslog file's qmail-scanner lines; with --svg also writes
// DIR/per-hour.svg and DIR/per-day.svg line charts (the role of Qmail-Scanner's qs2mrtg).
// Exit 0 ok, 1 unreadable log / unwritable chart / bad config, 2 usage.
#pragma once

#include <string>
#include <vector>

namespace qscan::tools {

int stats_command(const std::vector<std::string>& args, const std::string& config_path);

}  // namespace qscan::tools
