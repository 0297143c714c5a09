#include "supervisor/scan_report.h"

#include <cstdio>

#include "supervisor/version.h"

namespace qscan::supervisor {
namespace {

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

std::string from_part(const ReportHeaderInput& in) {
  const ClientInfo& c = *in.client;
  std::string host = c.remote_host.empty() ? c.remote_ip : c.remote_host;
  std::string info = c.remote_info.empty() ? "HELO" : c.remote_info;
  return "from " + host + " (" + info + "@" + c.remote_ip + ") by " + in.me + " (envelope-from <" +
         header_safe(in.sender) + ">, uid " + std::to_string(in.uid) + ")";
}

std::string scanners_part(const ReportHeaderInput& in) {
  std::string s;
  for (const auto& sc : in.scanners) {
    if (!s.empty()) s += " ";
    s += sc.name + ": " + sc.version + ".";
  }
  return s;
}

}  // namespace

std::string status_string(const StatusParts& s) {
  std::string out =
      s.verdict + ":RC:" + (s.client.relay_client ? "1" : "0") + "(" + s.client.remote_ip + "):";
  if (s.spam_configured) {
    if (s.spam.ran)
      out += "SA:" + std::string(s.spam.is_spam ? "1" : "0") + "(" + s.spam.score + "/" +
             s.spam.required + "):";
    else
      out += "SA:0(?/?):";
  }
  for (const auto& c : s.crypto) out += "CR:" + c + ":";
  for (const auto& d : s.dlp) out += "DLP:" + d + ":";
  return out;
}

std::string rfc822_gmt_date(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d %s %04d %02d:%02d:%02d -0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string header_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string received_header(const ReportHeaderInput& in) {
  return "Received: " + from_part(in) + " with " + std::string(kProductTag) + "\n (" +
         scanners_part(in) + "\n " + in.status + ".\n Processed in " + seconds_text(in.seconds) +
         " secs); " + rfc822_gmt_date(in.when) + "\n";
}

std::string x_qmail_scanner_headers(const ReportHeaderInput& in) {
  const std::string secs = seconds_text(in.seconds);
  return "X-Qmail-Scanner-Diagnostics: " + from_part(in) + " with " + std::string(kProductTag) +
         "\n (" + scanners_part(in) + "\n " + in.status + ".\n Processed in " + secs + " secs); " +
         rfc822_gmt_date(in.when) + "\n" + "X-Qmail-Scanner-Mail-From: " + header_safe(in.sender) +
         " via " + in.me + "\n" + "X-Qmail-Scanner: " + std::string(kProductTag) + " (" +
         in.status + ". Processed in " + secs + " secs)\n";
}

}  // namespace qscan::supervisor
