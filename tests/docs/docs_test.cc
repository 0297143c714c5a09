// Man pages pass `man --warnings`, document every config key, and `cmake --install` puts
// binaries, data, config samples, the unit and the man pages where the binaries and the
// admin guide say.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/config.h"

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kPages = {"qmail-scanner-queue.8", "qscand.8", "qscan.8",
                                         "qscan.toml.5"};

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path page(const std::string& name) { return fs::path(QSCAN_SOURCE_DIR) / "docs/man" / name; }

TEST(ManPages, PassManWarnings) {
  int st = 0;
  run("command -v man >/dev/null 2>&1", &st);
  if (st != 0) GTEST_SKIP() << "man is not installed";
  for (const auto& name : kPages) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::exists(page(name)));
    // Formatting output goes to /dev/null; only the warnings (stderr) are captured.
    const std::string warnings =
        run("MANWIDTH=80 man --warnings -l '" + page(name).string() + "' 2>&1 >/dev/null", &st);
    EXPECT_EQ(st, 0);
    EXPECT_EQ(warnings, "");
  }
}

TEST(ManPages, ConfigPageDocumentsEveryKey) {
  const std::string text = slurp(page("qscan.toml.5"));
  for (const auto& key : qscan::policy::config_keys()) {
    std::string roff;  // keys are written with '\-' for '-'; '_' stays
    for (char c : key) roff += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(text.find(".BR " + roff + " \" = \""), std::string::npos) << key;
  }
}

TEST(ManPages, AdminGuideCoversEveryExitCode) {
  const std::string guide = slurp(fs::path(QSCAN_SOURCE_DIR) / "docs/admin-guide.md");
  for (const char* code : {"| 0 |", "| 11 |", "| 31 |", "| 51 |", "| 52 |", "| 53 |", "| 54 |",
                           "| 55 |", "| 71 |", "| 81 |", "| 82 |", "| 91 |"})
    EXPECT_NE(guide.find(code), std::string::npos) << code;
}

TEST(Install, PutsEverythingInTheStandardPlaces) {
  std::string tmpl = (fs::temp_directory_path() / "qscan-install-XXXXXX").string();
  const fs::path prefix = ::mkdtemp(tmpl.data());
  int st = 0;
  const std::string out = run(std::string(QSCAN_CMAKE_COMMAND) + " --install '" + QSCAN_BINARY_DIR +
                                  "' --prefix '" + prefix.string() + "' 2>&1",
                              &st);
  ASSERT_EQ(st, 0) << out;
  const std::vector<std::string> expected = {
      "bin/qmail-scanner-queue",
      "bin/qmail-scanner-standalone",
      "bin/qscan",
      "sbin/qscand",
      "share/qscan/templates/en",
      "share/qscan/signatures",
      "etc/qscan/qscan.toml.sample",
      "etc/qscan/quarantine-attachments.txt.sample",
      "lib/systemd/system/qscand.service",
      "share/man/man8/qmail-scanner-queue.8",
      "share/man/man8/qscand.8",
      "share/man/man8/qscan.8",
      "share/man/man5/qscan.toml.5",
      "share/doc/qscan/admin-guide.md",
      "share/doc/qscan/examples/daemontools/run",
      "share/doc/qscan/examples/daemontools/log/run",
      "share/doc/qscan/examples/logrotate/qscan",
      "share/doc/qscan/examples/tcp.smtp",
  };
  for (const auto& rel : expected) EXPECT_TRUE(fs::exists(prefix / rel)) << rel;
  // No live config: without /etc/qscan/qscan.toml the built-in defaults apply.
  EXPECT_FALSE(fs::exists(prefix / "etc/qscan/qscan.toml"));
  EXPECT_FALSE(fs::exists(prefix / "etc/qscan/quarantine-attachments.txt"));
  // The samples are the shipped files, byte for byte.
  EXPECT_EQ(slurp(prefix / "etc/qscan/qscan.toml.sample"),
            slurp(fs::path(QSCAN_SOURCE_DIR) / "config/qscan.toml"));
  // bin/.. and sbin/.. are the same prefix: both find share/qscan (notifier.cc,
  // clamav_engine.cc look in <dir of the executable>/../share/qscan).
  EXPECT_TRUE(fs::exists(prefix / "sbin/../share/qscan/signatures"));
  EXPECT_TRUE(fs::exists(prefix / "bin/../share/qscan/templates"));
  // The unit starts the installed qscand.
  const std::string unit = slurp(prefix / "lib/systemd/system/qscand.service");
  EXPECT_NE(unit.find("ExecStart=" + (prefix / "sbin/qscand").string() + " --foreground"),
            std::string::npos)
      << unit;
  EXPECT_NE(slurp(prefix / "share/doc/qscan/examples/daemontools/run")
                .find("exec " + (prefix / "sbin/qscand").string() + " --foreground"),
            std::string::npos);
  const auto perms = fs::status(prefix / "share/doc/qscan/examples/daemontools/run").permissions();
  EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none);
  std::error_code ec;
  fs::remove_all(prefix, ec);
}

}  // namespace
