#include "policy/format_checks.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace qscan::policy {
namespace {

std::set<std::string> disabled(std::vector<std::string> checks) {
  Config c;
  c.format_checks = std::move(checks);
  return disabled_format_checks(c);
}

std::set<std::string> all_checks() {
  return {known_format_checks().begin(), known_format_checks().end()};
}

TEST(FormatChecks, KnownNames) {
  const std::vector<std::string>& known = known_format_checks();
  EXPECT_EQ(known.size(), 15u);
  EXPECT_EQ(all_checks().size(), known.size());  // no duplicates
  for (const char* name :
       {"broken_continuation", "header_comment", "repeated_mime_header", "long_boundary",
        "differing_filenames", "boundary_twice", "exe_ext_in_nonexec_type", "broken_part_header",
        "exe_not_application", "long_filename", "double_extension", "clsid_extension",
        "password_protected_zip", "nul_in_header", "cr_in_header"}) {
    EXPECT_TRUE(all_checks().contains(name)) << name;
  }
}

TEST(FormatChecks, DefaultEnablesEverything) {
  EXPECT_TRUE(disabled_format_checks(Config{}).empty());
  EXPECT_TRUE(disabled({"all"}).empty());
}

TEST(FormatChecks, EmptyListAndNoneDisableEverything) {
  EXPECT_EQ(disabled({}), all_checks());
  EXPECT_EQ(disabled({"none"}), all_checks());
  EXPECT_EQ(disabled({"all", "none"}), all_checks());
}

TEST(FormatChecks, DisableSome) {
  EXPECT_EQ(disabled({"all", "-header_comment", "-long_filename"}),
            (std::set<std::string>{"header_comment", "long_filename"}));
}

TEST(FormatChecks, EnableSome) {
  std::set<std::string> expected = all_checks();
  expected.erase("nul_in_header");
  expected.erase("cr_in_header");
  EXPECT_EQ(disabled({"nul_in_header", "cr_in_header"}), expected);
  EXPECT_EQ(disabled({"none", "nul_in_header", "cr_in_header"}), expected);
}

TEST(FormatChecks, OrderMatters) {
  EXPECT_TRUE(disabled({"-header_comment", "all"}).empty());
  EXPECT_EQ(disabled({"all", "-header_comment"}), std::set<std::string>{"header_comment"});
  EXPECT_TRUE(disabled({"all", "-header_comment", "header_comment"}).empty());
  EXPECT_EQ(disabled({"all", "header_comment", "-header_comment"}),
            std::set<std::string>{"header_comment"});
}

TEST(FormatChecks, UnknownNamesIgnored) {
  EXPECT_TRUE(disabled({"all", "-bogus"}).empty());
  EXPECT_EQ(disabled({"bogus"}), all_checks());
}

}  // namespace
}  // namespace qscan::policy
