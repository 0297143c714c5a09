#include "supervisor/quarantine_writer.h"

#include <cstdio>

#include "supervisor/maildir.h"
#include "supervisor/scan_report.h"

namespace qscan::supervisor {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string escape_address(std::string_view a) {
  std::string out;
  out.reserve(a.size());
  for (char ch : a) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool unescape_address(std::string_view s, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 3 >= s.size() || s[i + 1] != 'x') return false;
    int hi = hex_value(s[i + 2]), lo = hex_value(s[i + 3]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return true;
}

std::string quarantine_headers(const QuarantineInput& q) {
  std::string h;
  h += std::string(kHdrDate) + ": " + rfc822_gmt_date(q.when) + "\n";
  h += std::string(kHdrReason) + ": " + header_safe(q.verdict.reason) + "\n";
  if (!q.verdict.description.empty())
    h += std::string(kHdrDescription) + ": " + header_safe(q.verdict.description) + "\n";
  h += std::string(kHdrScanners) + ": " + header_safe(q.scanners) + "\n";
  h += std::string(kHdrMailFrom) + ": " + escape_address(q.envelope.sender) + "\n";
  h += std::string(kHdrRcptCount) + ": " + std::to_string(q.envelope.recipients.size()) + "\n";
  for (const auto& r : q.envelope.recipients)
    h += std::string(kHdrRcptTo) + ": " + escape_address(r) + "\n";
  return h;
}

bool write_quarantine(const std::string& maildir, const QuarantineInput& q, std::string* name,
                      std::string* error) {
  const std::string headers = quarantine_headers(q);
  return maildir_deliver(maildir, {headers, q.message}, name, error);
}

}  // namespace qscan::supervisor
