#include "supervisor/log_lines.h"

#include <cstdio>

namespace qscan::supervisor {
namespace {

constexpr std::size_t kSyslogCap = 1024;

// Drops control bytes; maps whitespace to `space_to`; caps at `max` bytes; "<>" if empty.
std::string field(std::string_view s, char space_to, std::size_t max) {
  std::string out;
  for (char ch : s) {
    if (out.size() >= max) break;
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      out.push_back(space_to);
    } else if (c >= 0x20 && c != 0x7f) {
      out.push_back(ch);
    }
  }
  return out.empty() ? "<>" : out;
}

// mailstats.csv keeps spaces but a TAB or newline would break the columns.
std::string tsv_field(std::string_view s) {
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r')
      out.push_back(' ');
    else if (c >= 0x20 && c != 0x7f)
      out.push_back(ch);
  }
  return out;
}

std::string elapsed(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%f", s);
  return std::string(buf).substr(0, 8);
}

std::string attachments_text(const LogRecord& r, char space_to) {
  std::string out;
  for (const auto& [name, size] : r.attachments) {
    if (!out.empty()) out.push_back(' ');
    out += field(name, space_to, 256) + ":" + std::to_string(size);
  }
  return out;
}

}  // namespace

std::string syslog_text(const LogRecord& r) {
  std::string out = field(r.status, '_', 512) + " " + elapsed(r.seconds) + " " +
                    std::to_string(r.size) + " " + field(r.sender, '_', 100) + " " +
                    field(r.recipient, '|', 100) + " " + field(r.subject, '_', 80) + " " +
                    field(r.message_id, '_', 80);
  std::string att = attachments_text(r, '_');
  if (!att.empty()) out += " " + att;
  if (out.size() > kSyslogCap) out.resize(kSyslogCap);
  return out;
}

std::string mailstats_line(const LogRecord& r) {
  std::tm tm{};
  ::localtime_r(&r.when, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%d/%m/%Y %H:%M:%S", &tm);
  std::string att;
  for (const auto& [name, size] : r.attachments) {
    if (!att.empty()) att.push_back(' ');
    att += tsv_field(name) + ":" + std::to_string(size);
  }
  return std::string(date) + "\t" + tsv_field(r.status) + "\t" + elapsed(r.seconds) + "\t" +
         std::to_string(r.size) + "\t" + tsv_field(r.sender) + "\t" + tsv_field(r.recipient) +
         "\t" + tsv_field(r.subject) + "\t" + tsv_field(r.message_id) + "\t" + att + "\n";
}

std::string quarantine_log_line(const QuarantineLogRecord& r) {
  std::tm tm{};
  ::localtime_r(&r.when, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
  std::string rcpts;
  for (const auto& rc : r.recipients) {
    if (!rcpts.empty()) rcpts.push_back(',');
    rcpts += tsv_field(rc);
  }
  return std::string(date) + "\t" + tsv_field(r.sender) + "\t" + rcpts + "\t" +
         tsv_field(r.subject) + "\t" + tsv_field(r.reason) + "\t" + tsv_field(r.scanner) + "\n";
}

}  // namespace qscan::supervisor
