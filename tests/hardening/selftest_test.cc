// The same forbidden-operation probes `qscan selftest` runs on a production host.
#include "hardening/selftest.h"

#include <map>

#include "gtest/gtest.h"
#include "hardening/landlock.h"

namespace qscan::hardening {
namespace {

std::map<std::string, ProbeResult> by_probe(WorkerKind kind) {
  std::map<std::string, ProbeResult> m;
  for (auto& r : run_selftest({kind}, {})) m.emplace(r.probe, r);
  return m;
}

TEST(Selftest, DecodeWorkerIsKilledForEveryForbiddenOperation) {
  auto m = by_probe(WorkerKind::kDecode);
  ASSERT_EQ(m.size(), probe_names().size());
  for (const auto& [probe, r] : m)
    EXPECT_EQ(r.outcome, ProbeOutcome::kKilled) << probe << ": " << r.detail;
}

TEST(Selftest, DaemonClientWorkerIsKilledForEveryForbiddenOperation) {
  auto m = by_probe(WorkerKind::kDaemonClient);
  for (const auto& [probe, r] : m)
    EXPECT_EQ(r.outcome, ProbeOutcome::kKilled) << probe << ": " << r.detail;
}

TEST(Selftest, ScanWorkerCannotReachTheSpoolOrTheWorld) {
  auto m = by_probe(WorkerKind::kScan);
  if (landlock_abi() > 0) {
    EXPECT_EQ(m.at("open-spool-file").outcome, ProbeOutcome::kDenied);
    EXPECT_EQ(m.at("open-spool-file").detail, "EACCES");
  }
  EXPECT_EQ(m.at("write-foreign-fd").outcome, ProbeOutcome::kDenied);  // closed: EBADF
  for (const char* p : {"socket", "connect", "execve", "fork", "ptrace", "kill-parent",
                        "mprotect-exec", "raise-rlimit"})
    EXPECT_EQ(m.at(p).outcome, ProbeOutcome::kKilled) << p << ": " << m.at(p).detail;
}

TEST(Selftest, PassesOverall) {
  auto all = run_selftest({WorkerKind::kDecode, WorkerKind::kScan, WorkerKind::kDaemonClient}, {});
  EXPECT_TRUE(selftest_passed(all));
  EXPECT_EQ(all.size(), 3 * probe_names().size());
}

}  // namespace
}  // namespace qscan::hardening
