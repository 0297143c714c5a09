// The layout every end-to-end test of the entry points uses: one temp directory holding the
// config, the spool and the fake qmail-queue's store, with the base config those tests share.
#pragma once

#include <string>

namespace qscan::testing {
inline namespace qmail_queue_run {

struct TestSpool {
  // Makes <dir>/delivered and opens <dir> for search (0711): the workers run as another uid
  // when the tests run as root and must reach their scratch dir under <dir>/spool/work, as
  // under /var/spool in a real install (mkdtemp made <dir> 0700).
  explicit TestSpool(const std::string& dir);

  // The base config: the fake (or `qmail_queue`) as qmail_queue, the spool, `daemon_socket`
  // (default <dir>/none.sock: nobody listens, so qmail-scanner-queue runs standalone), the
  // shipped test signatures, mailstats logging; then `extra` (keys must not repeat these).
  std::string config_text(const std::string& extra, const std::string& qmail_queue = "",
                          const std::string& daemon_socket = "") const;
  void write_config(const std::string& extra, const std::string& qmail_queue = "",
                    const std::string& daemon_socket = "") const;

  std::string dir, spool, store, config;
};

// The project's config/signatures (EICAR and the ClamAV test files).
std::string test_signatures_dir();

}  // namespace qmail_queue_run
}  // namespace qscan::testing
