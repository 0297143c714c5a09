// Qmail-Scanner's log formats, as pure functions (reference/qmail-scanner.md, "Logging",
// "syslog", "mailstats.csv", "quarantine.log").
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace qscan::supervisor {

struct LogRecord {
  std::string status;  // status_string()
  double seconds = 0;
  std::uint64_t size = 0;
  std::string sender;
  std::string recipient;  // one line per recipient
  std::string subject;    // RFC 2047 decoded already
  std::string message_id;
  std::vector<std::pair<std::string, std::uint64_t>> attachments;  // name, size
  std::time_t when = 0;
};

// The message part of the syslog line (syslog adds "qmail-scanner[PID]: "):
// whitespace in sender/subject/msgid -> '_', in recipients -> '|', empty -> "<>",
// elapsed cut to 8 chars, sender/recipient to 100, subject/msgid to 80, control bytes
// removed, whole text capped at 1024 bytes.
std::string syslog_text(const LogRecord& r);

// "dd/mm/yyyy
// HH:MM:SS\t<status>\t<elapsed>\t<size>\t<from>\t<rcpt>\t<subject>\t<msgid>\t<attachments>\n"
std::string mailstats_line(const LogRecord& r);

struct QuarantineLogRecord {
  std::time_t when = 0;
  std::string sender;
  std::vector<std::string> recipients;
  std::string subject;
  std::string reason;   // virus name or policy event
  std::string scanner;  // "clamav: 1.4.6/0."
};

// "%a, %d %b %Y %H:%M:%S %z\t<from>\t<rcpts>\t<subject>\t<reason>\t<scanner>\n"
std::string quarantine_log_line(const QuarantineLogRecord& r);

}  // namespace qscan::supervisor
