#include "supervisor/log_sink.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace qscan::supervisor {
namespace {

int facility_of(const std::string& name) {
  if (name == "local0") return LOG_LOCAL0;
  if (name == "local1") return LOG_LOCAL1;
  if (name == "local2") return LOG_LOCAL2;
  if (name == "local3") return LOG_LOCAL3;
  if (name == "local4") return LOG_LOCAL4;
  if (name == "local5") return LOG_LOCAL5;
  if (name == "local6") return LOG_LOCAL6;
  if (name == "local7") return LOG_LOCAL7;
  if (name == "daemon") return LOG_DAEMON;
  return LOG_MAIL;
}

}  // namespace

LogSink::LogSink(const policy::Config& config) : config_(config) {
  syslog_ = config.log_details == "syslog" || config.log_details == "both";
  mailstats_ = config.log_details == "mailstats" || config.log_details == "both";
  const char* e = std::getenv("QSCAN_LOG_STDERR");
  stderr_ = (e && *e) || ::isatty(2);
  ::openlog("qmail-scanner", LOG_PID | LOG_NDELAY, facility_of(config.syslog_facility));
}

bool LogSink::append(const std::string& file, const std::string& line) {
  const std::string path = config_.spool_dir + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  return ok;
}

void LogSink::message_line(const LogRecord& r) {
  if (syslog_) ::syslog(LOG_INFO, "%s", syslog_text(r).c_str());
  if (mailstats_ && !append("mailstats.csv", mailstats_line(r)))
    event("cannot append to mailstats.csv");
  if (config_.debug) debug("logged: " + syslog_text(r));
}

bool LogSink::quarantine_line(const QuarantineLogRecord& r) {
  return append("quarantine.log", quarantine_log_line(r));
}

void LogSink::event(const std::string& text) {
  ::syslog(LOG_WARNING, "%s", text.c_str());
  if (stderr_) {
    std::string line = "qmail-scanner[" + std::to_string(::getpid()) + "]: " + text + "\n";
    ssize_t w = ::write(2, line.data(), line.size());
    (void)w;
  }
  if (config_.debug) debug(text);
}

void LogSink::debug(const std::string& text) {
  if (!config_.debug) return;
  append("qmail-queue.log",
         std::to_string(::time(nullptr)) + " [" + std::to_string(::getpid()) + "] " + text + "\n");
}

}  // namespace qscan::supervisor
