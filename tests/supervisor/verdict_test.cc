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

}  // namespace
}  // namespace qscan::supervisor
