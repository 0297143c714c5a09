// A real clamd (Debian package clamav-daemon) on a private unix socket and a private TCP
// port on 127.0.0.1, with a generated clamd.conf and our test signatures as its only
// database (no freshclam). Starts in well under a second with that database.
#pragma once

#include <memory>
#include <string>

#include "tests/scanners/daemon_process.h"

namespace qscan::testing {

class ClamdDaemon {
 public:
  // Extra clamd.conf lines (e.g. "StreamMaxLength 1M") go after the generated ones.
  // Returns nullptr (with `error`) when clamd is missing or does not answer PING.
  static std::unique_ptr<ClamdDaemon> start(const std::string& extra_config, std::string* error);
  ~ClamdDaemon();

  const std::string& unix_address() const { return socket_; }
  std::string tcp_address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  DaemonProcess& process() { return process_; }
  std::string log() const;
  int startup_ms() const { return startup_ms_; }

 private:
  TempDir dir_{"qscan-clamd"};
  std::string socket_;
  int port_ = 0;
  int startup_ms_ = 0;
  DaemonProcess process_;
};

// Directory holding qscan-test.hdb/.ndb: the project's config/signatures.
std::string test_signature_dir();

// True when `address` answers zPING with PONG.
bool clamd_answers_ping(const std::string& address);

}  // namespace qscan::testing
