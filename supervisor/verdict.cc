#include "supervisor/verdict.h"

namespace qscan::supervisor {
namespace {

constexpr std::string_view kLimitPrefix = "limit:";

Verdict quarantine(QuarantineClass c, std::string reason, std::string description) {
  Verdict v;
  v.action = Action::kQuarantine;
  v.qclass = c;
  v.reason = std::move(reason);
  v.description = std::move(description);
  return v;
}

Verdict failure(const policy::Config& config, std::string reason, const std::string& why) {
  Verdict v = quarantine(QuarantineClass::kPolicy, std::move(reason), why);
  if (config.worker_failure_action == "defer") v.action = Action::kDefer;
  return v;
}

}  // namespace

const char* quarantine_dir_name(QuarantineClass c) {
  switch (c) {
    case QuarantineClass::kViruses:
      return "viruses";
    case QuarantineClass::kPolicy:
      return "policy";
    case QuarantineClass::kSpam:
      return "spam";
    case QuarantineClass::kNone:
      break;
  }
  return "";
}

Verdict decide(const ScanFacts& facts, const policy::Config& config) {
  if (!facts.hits.empty()) {
    const auto& h = facts.hits.front();
    return quarantine(QuarantineClass::kViruses, "virus:" + h.name,
                      h.name + " found by " + h.scanner + (h.path.empty() ? "" : " in " + h.path));
  }
  if (facts.av_unavailable) {
    Verdict v;
    v.action = Action::kDefer;
    v.reason = "scanner-unavailable";
    v.description = *facts.av_unavailable;
    return v;
  }
  if (facts.scanner_failure) return failure(config, "scanner-failure", *facts.scanner_failure);
  if (facts.decoder_failure) return failure(config, "decoder-failure", *facts.decoder_failure);

  for (const auto& f : facts.findings) {
    if (f.check.compare(0, kLimitPrefix.size(), kLimitPrefix) != 0) continue;
    if (config.limit_action == "pass") continue;
    Verdict v = quarantine(QuarantineClass::kPolicy, "policy:" + f.check, f.detail);
    if (config.limit_action == "defer") v.action = Action::kDefer;
    return v;
  }
  if (facts.policy_hit) {
    const PolicyHit& p = *facts.policy_hit;
    Verdict v = quarantine(QuarantineClass::kPolicy, "policy:" + p.description,
                           p.description + (p.where.empty() ? "" : " (" + p.where + ")"));
    if (p.greylist) {
      v.reason = "greylist:" + p.description;  // its own status word in logs and stats
      v.action = Action::kDefer;
      v.qclass = QuarantineClass::kNone;
      v.greylist = true;
    }
    return v;
  }
  for (const auto& f : facts.findings) {
    if (f.check == "repeated_mime_header") continue;  // a rewrite, not a block
    if (f.check == "password_protected_zip")
      return quarantine(QuarantineClass::kPolicy, "policy:password_protected_zip", f.detail);
    return quarantine(QuarantineClass::kPolicy, "malformed:" + f.check, f.detail);
  }
  Verdict clean;
  clean.rewrite = facts.has_rewrite;
  if (facts.spam_unavailable && config.spam_failure == "defer") {
    clean.action = Action::kDefer;
    clean.reason = "spam-scanner-unavailable";
    clean.description = *facts.spam_unavailable;
    return clean;
  }
  if (facts.spam_ran && config.sa_delete > 0 && facts.spam_score >= config.sa_delete) {
    clean.action = Action::kDrop;
    clean.reason = "spam:deleted";
    clean.description = "SpamAssassin score " + std::to_string(facts.spam_score) +
                        " >= sa_delete " + std::to_string(config.sa_delete);
    return clean;
  }
  if (facts.spam_ran && config.sa_quarantine > 0 && facts.spam_score >= config.sa_quarantine)
    return quarantine(QuarantineClass::kSpam, "spam",
                      "SpamAssassin score " + std::to_string(facts.spam_score) +
                          " >= sa_quarantine " + std::to_string(config.sa_quarantine));
  for (const auto& h : facts.dlp_hits) clean.dlp.push_back(h.name);
  return clean;
}

}  // namespace qscan::supervisor
