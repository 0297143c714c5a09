// Where log lines go: syslog (facility from config, ident "qmail-scanner"), mailstats.csv
// and quarantine.log in the spool (appended with O_APPEND, one write per line), and the
// debug log qmail-queue.log when debug = true.
#pragma once

#include <string>

#include "policy/config.h"
#include "supervisor/log_lines.h"

namespace qscan::supervisor {

class LogSink {
 public:
  explicit LogSink(const policy::Config& config);
  void message_line(const LogRecord& r);
  bool quarantine_line(const QuarantineLogRecord& r);
  // Operational events: worker failures, config problems, deferrals. Always to syslog
  // (and stderr when it is a terminal or QSCAN_LOG_STDERR is set, for tests), and to the
  // debug log when enabled.
  void event(const std::string& text);
  void debug(const std::string& text);

 private:
  bool append(const std::string& file, const std::string& line);
  const policy::Config& config_;
  bool syslog_ = false;
  bool mailstats_ = false;
  bool stderr_ = false;
};

}  // namespace qscan::supervisor
