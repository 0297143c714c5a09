#include <gtest/gtest.h>

#include "supervisor/verdict.h"

namespace qscan::supervisor {
namespace {

TEST(Verdict, CleanWhenNothingFound) {
  policy::Config c;
  Verdict v = decide({}, c);
  EXPECT_EQ(v.action, Action::kDeliver);
  EXPECT_TRUE(v.reason.empty());
}

TEST(Verdict, VirusBeatsFindingsAndFailures) {
  policy::Config c;
  ScanFacts f;
  f.hits.push_back({"clamav", "Eicar-Test-Signature", "1"});
  f.findings.push_back({"long_boundary", "", ""});
  f.decoder_failure = "crashed";
  Verdict v = decide(f, c);
  EXPECT_EQ(v.qclass, QuarantineClass::kViruses);
  EXPECT_EQ(v.reason, "virus:Eicar-Test-Signature");
}

TEST(Verdict, WorkerFailureQuarantinesToPolicyOrDefers) {
  policy::Config c;
  ScanFacts f;
  f.decoder_failure = "killed by signal 31";
  Verdict v = decide(f, c);
  EXPECT_EQ(v.action, Action::kQuarantine);
  EXPECT_EQ(v.qclass, QuarantineClass::kPolicy);
  EXPECT_EQ(v.reason, "decoder-failure");
  c.worker_failure_action = "defer";
  EXPECT_EQ(decide(f, c).action, Action::kDefer);
  f.scanner_failure = "timeout";
  EXPECT_EQ(decide(f, c).reason, "scanner-failure");
}

TEST(Verdict, LimitsBeforeFormatChecks) {
  policy::Config c;
  ScanFacts f;
  f.findings.push_back({"long_boundary", "", ""});
  f.findings.push_back({"limit:max_depth", "", ""});
  EXPECT_EQ(decide(f, c).reason, "policy:limit:max_depth");
  c.limit_action = "pass";
  EXPECT_EQ(decide(f, c).reason, "malformed:long_boundary");
}

TEST(Verdict, RepeatedHeaderIsARewriteNotABlock) {
  policy::Config c;
  ScanFacts f;
  f.findings.push_back({"repeated_mime_header", "", "1"});
  f.has_rewrite = true;
  Verdict v = decide(f, c);
  EXPECT_EQ(v.action, Action::kDeliver);
  EXPECT_TRUE(v.rewrite);
}

TEST(Verdict, AvDaemonUnavailableAlwaysDefers) {
  policy::Config c;
  c.worker_failure_action = "quarantine";
  ScanFacts f;
  f.av_unavailable = "clamd unavailable: connection refused";
  Verdict v = decide(f, c);
  EXPECT_EQ(v.action, Action::kDefer);
  EXPECT_EQ(v.reason, "scanner-unavailable");
  f.hits.push_back({"clamav", "Eicar-Test-Signature", ""});  // a hit elsewhere still wins
  EXPECT_EQ(decide(f, c).qclass, QuarantineClass::kViruses);
}

TEST(Verdict, SpamFailureDefersOrPasses) {
  policy::Config c;
  ScanFacts f;
  f.spam_unavailable = "spamd unavailable";
  EXPECT_EQ(decide(f, c).action, Action::kDefer);
  c.spam_failure = "pass";
  EXPECT_EQ(decide(f, c).action, Action::kDeliver);
}

TEST(Verdict, SpamThresholds) {
  policy::Config c;
  ScanFacts f;
  f.spam_ran = true;
  f.is_spam = true;
  f.spam_score = 12.5;
  EXPECT_EQ(decide(f, c).action, Action::kDeliver);  // tagged, not blocked, by default
  c.sa_quarantine = 10;
  EXPECT_EQ(decide(f, c).qclass, QuarantineClass::kSpam);
  c.sa_delete = 12.5;
  EXPECT_EQ(decide(f, c).action, Action::kDrop);
  f.spam_score = 9.9;
  EXPECT_EQ(decide(f, c).action, Action::kDeliver);
  f.findings.push_back({"long_boundary", "", ""});  // policy before spam
  f.spam_score = 50;
  EXPECT_EQ(decide(f, c).reason, "malformed:long_boundary");
}

}  // namespace
}  // namespace qscan::supervisor
