// From validated worker results to one decision. Precedence as Qmail-Scanner's: a virus
// beats everything; then worker failures; then limits, format checks and policy rules;
// then spam. Reasons use the corpus vocabulary: "virus:<name>", "malformed:<check>",
// "policy:limit:<limit>", "policy:<rule>", "decoder-failure", "scanner-failure".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ipc/records.h"
#include "policy/config.h"

namespace qscan::supervisor {

// kDrop: accepted and discarded (sa_delete), as Qmail-Scanner does for very high scores.
enum class Action { kDeliver, kQuarantine, kDefer, kDrop };
enum class QuarantineClass { kNone, kViruses, kPolicy, kSpam };

const char* quarantine_dir_name(QuarantineClass c);  // "viruses", "policy", "spam"

// A rule of the policy file that matched (policy/policy_eval.h), as the verdict needs it.
struct PolicyHit {
  std::string description;  // column 3: the reason in logs and alerts
  std::string where;        // part path or header name
  bool greylist = false;    // column 4 "greylist": temporary refusal instead of quarantine
};

struct Verdict {
  Action action = Action::kDeliver;
  bool greylist = false;  // a kDefer caused by a greylist rule
  QuarantineClass qclass = QuarantineClass::kNone;
  std::string reason;            // empty when clean
  std::string description;       // for logs and alerts
  bool rewrite = false;          // deliver the decode worker's rewritten message
  std::vector<std::string> dlp;  // DLP-monitored hits let through (logged "DLP:", archived)
};

struct ScanFacts {
  std::vector<ipc::ScanHitRecord> hits;
  std::vector<ipc::FindingRecord> findings;
  std::optional<std::string> decoder_failure;  // why the decode worker failed
  std::optional<std::string> scanner_failure;  // why the scan worker failed
  bool has_rewrite = false;
  // An AV daemon that is down, slow or answers garbage: the message defers, never passes.
  std::optional<std::string> av_unavailable;
  // spamd failed: config spam_failure decides (defer, or pass and log).
  std::optional<std::string> spam_unavailable;
  std::optional<PolicyHit> policy_hit;
  // Hits whose names match config dlp_monitor: monitored, not blocked (decided last).
  std::vector<ipc::ScanHitRecord> dlp_hits;
  bool spam_ran = false;
  bool is_spam = false;
  double spam_score = 0;
};

Verdict decide(const ScanFacts& facts, const policy::Config& config);

}  // namespace qscan::supervisor
