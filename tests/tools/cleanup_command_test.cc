// qscan cleanup: age rules on a spool made by the pipeline plus entries dated with
// utimensat: work/ and Maildir tmp/ leftovers older than 30 h go, younger stay; quarantined
// messages go after quarantine_days; --dry-run removes nothing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/tools/tool_run.h"

namespace {

namespace fs = std::filesystem;
using namespace qscan::testing::tools;

constexpr std::time_t kHour = 3600, kDay = 86400;

class Cleanup : public ::testing::Test {
 protected:
  void SetUp() override {
    box_.write_config("quarantine_days = 3\n");
    // Two real quarantines from the pipeline.
    for (int i = 0; i < 2; ++i) {
      auto r = box_.inject(sample("eicar.eml"), "s@example.org", {"r@example.net"});
      ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    }
    auto q = files_in(box_.spool() + "/quarantine/viruses/new");
    ASSERT_EQ(q.size(), 2u);
    q_young_ = q[0];
    q_old_ = q[1];
    // A released one, in cur/.
    q_cur_old_ =
        box_.spool() + "/quarantine/viruses/cur/" + fs::path(q_old_).filename().string() + "x:2,PS";
    fs::copy_file(q_old_, q_cur_old_);
    set_age(q_young_, 3 * kDay - kHour);  // inside quarantine_days: kept
    set_age(q_old_, 3 * kDay + kHour);    // past it: removed
    set_age(q_cur_old_, 3 * kDay + kHour);

    // work/: scratch dirs of crashed runs (with content) and of one in progress.
    work_old_ = box_.spool() + "/work/scan.OLD123";
    work_young_ = box_.spool() + "/work/scan.NEW456";
    for (const auto& d : {work_old_, work_young_}) {
      fs::create_directories(d + "/sub");
      std::ofstream(d + "/sub/clamav-tmp") << "x";
    }
    set_age(work_old_, 31 * kHour);
    set_age(work_young_, 29 * kHour);
    // Unfinished Maildir writes.
    tmp_old_ = box_.spool() + "/quarantine/policy/tmp/1.2P3Q4.host";
    tmp_young_ = box_.spool() + "/quarantine/spam/tmp/5.6P7Q8.host";
    std::ofstream(tmp_old_) << "partial";
    std::ofstream(tmp_young_) << "partial";
    set_age(tmp_old_, 31 * kHour);
    set_age(tmp_young_, 29 * kHour);
  }

  Sandbox box_;
  std::string q_young_, q_old_, q_cur_old_, work_old_, work_young_, tmp_old_, tmp_young_;
};

TEST_F(Cleanup, RemovesOnlyWhatIsOldEnough) {
  auto r = box_.qscan({"cleanup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(work_old_)) << r.out;
  EXPECT_FALSE(fs::exists(tmp_old_));
  EXPECT_FALSE(fs::exists(q_old_));
  EXPECT_FALSE(fs::exists(q_cur_old_));
  EXPECT_TRUE(fs::exists(work_young_));
  EXPECT_TRUE(fs::exists(work_young_ + "/sub/clamav-tmp"));
  EXPECT_TRUE(fs::exists(tmp_young_));
  EXPECT_TRUE(fs::exists(q_young_));
  for (const auto& p : {work_old_, tmp_old_, q_old_, q_cur_old_})
    EXPECT_TRUE(contains(r.out, "removed " + p + "\n")) << r.out;
  for (const auto& p : {work_young_, tmp_young_, q_young_}) EXPECT_FALSE(contains(r.out, p));
  EXPECT_TRUE(contains(r.out, "removed 1 work entries, 1 unfinished tmp files, 2 quarantined"))
      << r.out;
  // The spool itself is intact and a second run finds nothing.
  EXPECT_TRUE(fs::is_directory(box_.spool() + "/work"));
  EXPECT_TRUE(fs::is_directory(box_.spool() + "/quarantine/viruses/new"));
  auto again = box_.qscan({"cleanup"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(contains(again.out, "removed 0 work entries, 0 unfinished tmp files, 0 quarantined"))
      << again.out;
}

TEST_F(Cleanup, DryRunRemovesNothing) {
  auto r = box_.qscan({"cleanup", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& p : {work_old_, tmp_old_, q_old_, q_cur_old_}) {
    EXPECT_TRUE(fs::exists(p)) << p;
    EXPECT_TRUE(contains(r.out, "would remove " + p + "\n")) << r.out;
  }
  for (const auto& p : {work_young_, tmp_young_, q_young_}) EXPECT_TRUE(fs::exists(p));
  EXPECT_TRUE(contains(r.out, "(dry run)")) << r.out;
}

TEST_F(Cleanup, QuarantineDaysZeroKeepsQuarantine) {
  box_.write_config("quarantine_days = 0\n");
  auto r = box_.qscan({"cleanup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(q_old_));
  EXPECT_TRUE(fs::exists(q_cur_old_));
  EXPECT_FALSE(fs::exists(work_old_));
}

TEST_F(Cleanup, SymlinkInWorkIsRemovedNotFollowed) {
  const std::string target = box_.root() + "/precious";
  fs::create_directories(target);
  std::ofstream(target + "/keep") << "x";
  const std::string link = box_.spool() + "/work/scan.LINK";
  fs::create_directory_symlink(target, link);
  set_age(link, 40 * kHour);
  auto r = box_.qscan({"cleanup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(fs::symlink_status(link)));
  EXPECT_TRUE(fs::exists(target + "/keep"));
}

TEST(CleanupUsage, BadArgument) {
  Sandbox box;
  EXPECT_EQ(box.qscan({"cleanup", "--now"}).exit_code, 2);
}

}  // namespace
