// qscan test-install against the standalone setup: qmail-scanner-queue (no qscand) with
// fake-qmail-queue. The clean message must reach the fake, the real EICAR must land in
// quarantine/viruses, and the report must say so.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/tools/tool_run.h"

namespace {

namespace fs = std::filesystem;
using namespace qscan::testing::tools;
using qscan::testing::make_envelope;
using qscan::testing::read_deliveries;
using qscan::testing::read_file;

TEST(TestInstall, StandaloneReportsCleanDeliveredAndEicarQuarantined) {
  Sandbox box("admin_address = \"admin@example.org\"\npolicy_file = \"" +
              std::string(QSCAN_SOURCE_DIR) + "/config/quarantine-attachments.txt\"\n");
  auto r = box.qscan({"test-install"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "1. clean message: exit 0, delivered")) << r.out;
  EXPECT_TRUE(contains(r.out, "3. EICAR as sneaky.txt: exit 0, quarantined viruses")) << r.out;
  // The sample policy file has "eicar.com<TAB>69": the fake EICAR is a policy quarantine.
  EXPECT_TRUE(contains(r.out, "2. Eicar.com (69 bytes of '0'): exit 0, quarantined policy"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "4. GTUBE spam (QS_SPAMASSASSIN=on): exit 0, delivered")) << r.out;
  EXPECT_TRUE(contains(r.out, "result: OK")) << r.out;

  // What really happened: the clean message and GTUBE (no SpamAssassin configured) reached
  // qmail-queue, addressed to admin_address; the EICAR one is in quarantine.
  auto d = read_deliveries(box.store());
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].envelope, make_envelope("admin@example.org", {"admin@example.org"}));
  EXPECT_TRUE(contains(d[0].message, "test-install 1/4: clean message"));
  EXPECT_TRUE(contains(d[1].message, "GTUBE"));
  auto v = files_in(box.spool() + "/quarantine/viruses/new");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(contains(read_file(v[0]), "sneaky.txt"));
  EXPECT_EQ(files_in(box.spool() + "/quarantine/policy/new").size(), 1u);
}

TEST(TestInstall, FailsWhenNothingIsQuarantined) {
  // An "entry point" that accepts everything without scanning (cat-like): /bin/true.
  Sandbox box("admin_address = \"admin@example.org\"\n");
  // The spool exists (made by a first real message), so "not quarantined" can be seen.
  ASSERT_EQ(box.inject(sample("clean.eml"), "a@example.org", {"b@example.net"}).exit_code, 0);
  auto r = box.qscan({"test-install", "--entry", "/bin/true"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "3. EICAR as sneaky.txt: exit 0, delivered")) << r.out;
  EXPECT_TRUE(contains(r.out, "result: FAILED")) << r.out;
}

TEST(TestInstall, ReportsDeferral) {
  Sandbox box("admin_address = \"admin@example.org\"\n");
  auto r = box.qscan({"test-install"}, {{"FAKE_QMAIL_QUEUE_EXIT", "53"}});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "1. clean message: exit ")) << r.out;
  EXPECT_FALSE(contains(r.out, "1. clean message: exit 0,")) << r.out;
  EXPECT_TRUE(contains(r.out, ", deferred (temporary failure)")) << r.out;
  EXPECT_TRUE(contains(r.out, "clean message NOT delivered")) << r.out;
}

}  // namespace
