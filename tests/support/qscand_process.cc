#include "tests/support/qscand_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace qscan::testing {

pid_t start_qscand(const std::string& bin, const std::string& config,
                   const std::string& stderr_path, const std::string& store,
                   const std::vector<std::pair<std::string, std::string>>& env) {
  const pid_t pid = ::fork();
  if (pid != 0) {
    if (pid > 0) ::setpgid(pid, pid);  // also in the child: whichever runs first
    return pid;
  }
  ::setpgid(0, 0);
  int fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  ::dup2(fd, 2);
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, 0);
  ::dup2(devnull, 1);
  ::setenv("QSCAN_LOG_STDERR", "1", 1);
  ::setenv("FAKE_QMAIL_QUEUE_DIR", store.c_str(), 1);
  ::unsetenv("QSCAN_TEST_FAULT");
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  ::execl(bin.c_str(), bin.c_str(), "--foreground", "--config", config.c_str(), nullptr);
  ::_exit(127);
}

}  // namespace qscan::testing
