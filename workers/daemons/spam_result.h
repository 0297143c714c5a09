// How a spamd check travels through the arena, with existing record kinds only:
//
//   kScannerInfo {scanner "spamassassin", version "4.0.1 (SPAMD/1.1)"}  (or "SPAMD/1.1")
//   kFinding     {check "spam", detail "<score>/<threshold>/<0|1>", path ""}
//                e.g. "1003.3/5.0/1"; the numbers exactly as spamd printed them
//   kHeader      {name "X-Spam-...", value}   one per header to add, in order; a value may
//                span lines: "\n" + leading whitespace, never CR
//   kScanError   {scanner "spamassassin", detail <reason>, path ""}   the check failed:
//                the supervisor applies spam_failure ("defer" = 71, or "pass", logged)
//   kScanDone    {scanner "spamassassin", count 1 when checked, 0 on failure}
// A failed check writes kScanError and kScanDone only (never a "spam" finding).
// The supervisor decodes with decode_spam_result(), which re-validates everything.
#pragma once

#include <string>
#include <vector>

#include "ipc/arena_writer.h"
#include "ipc/records.h"
#include "workers/daemons/spamd_client.h"

namespace qscan::daemons {

inline constexpr char kSpamScannerName[] = "spamassassin";
inline constexpr char kSpamFindingCheck[] = "spam";

// Worker side: the records above for one result (ok or not).
void write_spam_result(ipc::ArenaWriter& arena, const SpamdCheckResult& result);

struct SpamResult {
  bool failed = true;   // no usable answer: see error
  std::string error;    // the worker's kScanError detail, or why decoding refused
  std::string version;  // for the Received: report, "spamassassin: <version>."
  bool is_spam = false;
  std::string score;       // "1003.3": for "SA:1(1003.3/5.0)"
  std::string threshold;   // "5.0"
  double score_value = 0;  // parsed, for sa_quarantine thresholds
  double threshold_value = 0;
  std::vector<ipc::HeaderRecord> headers;  // X-Spam-* to add
};

// Supervisor side: from a validated arena of the spamd worker. A result without exactly one
// well-formed "spam" finding, a scanner record and a scan-done record, or with a header
// not named X-Spam-*, is failed (with `error` saying why).
SpamResult decode_spam_result(const ipc::DecodedArena& arena);

}  // namespace qscan::daemons
