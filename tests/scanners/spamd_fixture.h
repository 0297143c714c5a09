// A real spamd (Debian package spamassassin) on a private unix socket and a private TCP
// port on 127.0.0.1: local tests only (-L), no user configs (-x), SpamAssassin's shipped
// rules from /usr/share/spamassassin (--configpath; no sa-update, no network) and the
// plugin-loading .pre files copied from /etc/spamassassin into a private site dir (so a
// host's local.cf cannot change test verdicts). Startup takes about 1.5 s here: start it
// once per test binary.
#pragma once

#include <memory>
#include <string>

#include "tests/scanners/daemon_process.h"

namespace qscan::testing {

class SpamdDaemon {
 public:
  static std::unique_ptr<SpamdDaemon> start(std::string* error);
  ~SpamdDaemon();

  const std::string& unix_address() const { return socket_; }
  std::string tcp_address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  DaemonProcess& process() { return process_; }
  std::string log() const;
  int startup_ms() const { return startup_ms_; }

 private:
  TempDir dir_{"qscan-spamd"};
  std::string socket_;
  int port_ = 0;
  int startup_ms_ = 0;
  DaemonProcess process_;
};

// True when `address` answers "PING SPAMC/1.5" with "SPAMD/1.x 0 PONG".
bool spamd_answers_ping(const std::string& address);

}  // namespace qscan::testing
