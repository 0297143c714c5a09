#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "supervisor/maildir.h"

namespace qscan::supervisor {
namespace {

namespace fs = std::filesystem;

TEST(Maildir, DeliversIntoNewWithUniqueNamesAndEmptyTmp) {
  fs::path dir = fs::temp_directory_path() / ("qscan-maildir-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string err;
  ASSERT_TRUE(ensure_maildir(dir.string(), &err)) << err;
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::string a, b;
  ASSERT_TRUE(maildir_deliver(dir.string(), {"Header: 1\n\n", "body\n"}, &a, &err)) << err;
  ASSERT_TRUE(maildir_deliver(dir.string(), {"x"}, &b, &err)) << err;
  EXPECT_NE(a, b);
  std::ifstream f(dir / "new" / a);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "Header: 1\n\nbody\n");
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
  fs::remove_all(dir);
}

TEST(Maildir, UnwritableDirectoryFails) {
  std::string err, name;
  EXPECT_FALSE(maildir_deliver("/nonexistent/qscan", {"x"}, &name, &err));
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace qscan::supervisor
