// docs/hardening.md embeds the profile tables; they are regenerated here from the same code
// that installs the filters, and the test fails when the doc has drifted.
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "hardening/profile_report.h"
#include "hardening/seccomp_profile.h"

namespace qscan::hardening {
namespace {

std::string read_doc() {
  std::ifstream in(std::string(QSCAN_SOURCE_DIR) + "/docs/hardening.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ProfileDoc, EveryWorkerTableInTheDocMatchesTheCode) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "docs/hardening.md missing";
  SandboxOptions defaults;  // the config defaults: 4096 MiB, 120 s
  for (WorkerKind k : all_worker_kinds()) {
    const std::string table = profile_markdown(k, defaults);
    EXPECT_NE(doc.find(table), std::string::npos)
        << "docs/hardening.md is out of date for worker " << worker_name(k)
        << "; regenerate with `qscan hardening show --format markdown`:\n"
        << table;
  }
}

TEST(ProfileDoc, EveryGroupIsExplained) {
  const std::string doc = read_doc();
  for (const auto& g : syscall_groups())
    EXPECT_NE(doc.find("| " + g.name + " | " + g.why + " |"), std::string::npos) << g.name;
}

}  // namespace
}  // namespace qscan::hardening
