// Test fixtures' plumbing: a private temp dir and a child daemon process we start, stop
// (SIGTERM, then wait) and, for failure tests, stop/kill on purpose.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace qscan::testing {

// mkdtemp under $TMPDIR (or /tmp); removed recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "qscan-daemons");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class DaemonProcess {
 public:
  DaemonProcess() = default;
  ~DaemonProcess() { stop(); }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // fork + exec argv[0] (a path) with stdout and stderr appended to `log_path`.
  bool start(const std::vector<std::string>& argv, const std::string& log_path, std::string* error);
  // Polls `ready` every 20 ms until it returns true, the process exits or timeout_ms pass.
  bool wait_ready(const std::function<bool()>& ready, int timeout_ms, std::string* error);
  // SIGTERM, wait up to 10 s, then SIGKILL. Safe to call twice.
  void stop();
  void signal(int sig) const;
  void kill_and_reap();  // SIGKILL + waitpid
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
int free_tcp_port();

std::string read_file(const std::string& path);
bool write_file(const std::string& path, const std::string& content);

}  // namespace qscan::testing
