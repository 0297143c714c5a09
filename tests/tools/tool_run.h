// Test support for tests/tools: a sandbox holding a config, a spool filled by running the
// real qmail-scanner-queue (standalone mode, fake-qmail-queue as qmail-queue), and a runner
// for the qscan binary that captures stdout, stderr and the exit code.
#pragma once

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/qmail_queue_run.h"
#include "tests/support/test_spool.h"

namespace qscan::testing::tools {

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct ToolResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `binary args...` with the environment plus `env`; stdin is /dev/null.
ToolResult run_tool(const std::string& binary, const std::vector<std::string>& args,
                    const EnvList& env = {});

std::string bin_dir();                        // <build>/bin
std::string qscan_path();                     // <build>/bin/qscan
std::string sample(const std::string& name);  // samples/<name>
// The EICAR test string, assembled at run time.
std::string eicar_string();
bool contains(const std::string& hay, const std::string& needle);
// Sets atime and mtime of `path` (not following a symlink) to now - age_seconds.
void set_age(const std::string& path, std::time_t age_seconds);
std::vector<std::string> files_in(const std::string& dir);  // full paths, sorted

class Sandbox {
 public:
  explicit Sandbox(const std::string& extra_config = "");
  // The config: qmail_queue = fake, spool in the sandbox, no daemon, test signatures,
  // notify = none, mailstats log, plus `extra` TOML lines.
  void write_config(const std::string& extra);
  // One message through qmail-scanner-queue as qmail-smtpd would hand it over.
  RunResult inject(const std::string& message, const std::string& sender,
                   const std::vector<std::string>& rcpts, const EnvList& env = {});
  // `qscan --config <config> args...`
  ToolResult qscan(const std::vector<std::string>& args, const EnvList& env = {});
  const std::string& root() const { return tmp_.path(); }
  const std::string& spool() const { return spool_; }
  const std::string& store() const { return store_; }
  const std::string& config() const { return config_; }

 private:
  TempDir tmp_{"qscan-tools"};
  TestSpool paths_{tmp_.path()};
  std::string spool_ = paths_.spool, store_ = paths_.store, config_ = paths_.config;
};

}  // namespace qscan::testing::tools
