#include "workers/daemons/spam_result.h"

#include <strings.h>

#include <cstdlib>

#include "workers/daemons/spamd_reply.h"

namespace qscan::daemons {
namespace {

SpamResult refuse(std::string why) {
  SpamResult r;
  r.error = std::move(why);
  return r;
}

// "<score>/<threshold>/<0|1>"
bool parse_detail(const std::string& d, SpamResult& r) {
  std::size_t s1 = d.find('/');
  std::size_t s2 = s1 == std::string::npos ? s1 : d.find('/', s1 + 1);
  if (s2 == std::string::npos) return false;
  std::string score = d.substr(0, s1), threshold = d.substr(s1 + 1, s2 - s1 - 1);
  std::string flag = d.substr(s2 + 1);
  if (!valid_spamd_number(score) || !valid_spamd_number(threshold) || (flag != "0" && flag != "1"))
    return false;
  r.score = score;
  r.threshold = threshold;
  r.is_spam = flag == "1";
  r.score_value = std::strtod(score.c_str(), nullptr);
  r.threshold_value = std::strtod(threshold.c_str(), nullptr);
  return true;
}

}  // namespace

void write_spam_result(ipc::ArenaWriter& arena, const SpamdCheckResult& result) {
  if (!result.ok) {
    ipc::write_scan_error(arena, {kSpamScannerName, result.error, ""});
    ipc::write_scan_done(arena, kSpamScannerName, 0);
    return;
  }
  ipc::write_scanner_info(arena, {kSpamScannerName, result.version_string()});
  for (const ipc::HeaderRecord& h : result.headers) ipc::write_header(arena, h);
  ipc::write_finding(
      arena, {kSpamFindingCheck,
              result.score + "/" + result.threshold + "/" + (result.is_spam ? "1" : "0"), ""});
  ipc::write_scan_done(arena, kSpamScannerName, 1);
}

SpamResult decode_spam_result(const ipc::DecodedArena& arena) {
  for (const ipc::ScanErrorRecord& e : arena.scan_errors) {
    if (e.scanner == kSpamScannerName) return refuse(e.detail);
  }
  if (!arena.scan_errors.empty()) return refuse("unexpected scan error records");
  if (!arena.scan_done) return refuse("spamd worker did not finish");
  SpamResult r;
  const ipc::FindingRecord* finding = nullptr;
  for (const ipc::FindingRecord& f : arena.findings) {
    if (f.check != kSpamFindingCheck || finding != nullptr)
      return refuse("unexpected finding records from the spamd worker");
    finding = &f;
  }
  if (finding == nullptr) return refuse("spamd worker wrote no result");
  if (!parse_detail(finding->detail, r)) return refuse("malformed spam result record");
  for (const ipc::ScannerInfoRecord& s : arena.scanners) {
    if (s.scanner != kSpamScannerName || !r.version.empty() || s.version.empty())
      return refuse("unexpected scanner records from the spamd worker");
    r.version = s.version;
  }
  if (r.version.empty()) return refuse("spamd worker wrote no version");
  for (const ipc::HeaderRecord& h : arena.headers) {
    if (h.name.size() < 7 || ::strncasecmp(h.name.c_str(), "X-Spam-", 7) != 0 ||
        h.value.find('\r') != std::string::npos)
      return refuse("spamd worker returned a header other than X-Spam-*: " + h.name);
  }
  if (arena.headers.size() > kMaxSpamHeaders) return refuse("too many X-Spam headers");
  r.headers = arena.headers;
  r.failed = false;
  return r;
}

}  // namespace qscan::daemons
