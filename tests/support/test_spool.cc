#include "tests/support/test_spool.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support/qmail_queue_run.h"

namespace qscan::testing {
inline namespace qmail_queue_run {

TestSpool::TestSpool(const std::string& d)
    : dir(d), spool(d + "/spool"), store(d + "/delivered"), config(d + "/qscan.toml") {
  std::filesystem::create_directories(store);
  ::chmod(dir.c_str(), 0711);
}

std::string TestSpool::config_text(const std::string& extra, const std::string& qmail_queue,
                                   const std::string& daemon_socket) const {
  return "qmail_queue = \"" + (qmail_queue.empty() ? fake_qmail_queue_path() : qmail_queue) +
         "\"\n" + "spool_dir = \"" + spool + "\"\n" + "daemon_socket = \"" +
         (daemon_socket.empty() ? dir + "/none.sock" : daemon_socket) + "\"\n" +
         "log_details = \"mailstats\"\n" + "clamav_db_dirs = [\"" + test_signatures_dir() +
         "\"]\n" + extra;
}

void TestSpool::write_config(const std::string& extra, const std::string& qmail_queue,
                             const std::string& daemon_socket) const {
  std::ofstream(config, std::ios::trunc) << config_text(extra, qmail_queue, daemon_socket);
}

std::string test_signatures_dir() { return std::string(QSCAN_SOURCE_DIR) + "/config/signatures"; }

}  // namespace qmail_queue_run
}  // namespace qscan::testing
