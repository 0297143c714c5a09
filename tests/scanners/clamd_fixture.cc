#include "tests/scanners/clamd_fixture.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "workers/daemons/connect.h"
#include "workers/daemons/socket_io.h"

namespace qscan::testing {
namespace {

constexpr const char* kClamd = "/usr/sbin/clamd";

}  // namespace

std::string test_signature_dir() { return std::string(QSCAN_SOURCE_DIR) + "/config/signatures"; }

bool clamd_answers_ping(const std::string& address) {
  std::string error;
  ipc::UniqueFd fd = daemons::connect_daemon(address, 500, &error);
  if (!fd) return false;
  daemons::Deadline deadline(1000);
  if (daemons::send_bytes(fd.get(), std::string_view("zPING\0", 6), deadline, &error) !=
      daemons::IoStatus::kOk)
    return false;
  std::string reply;
  daemons::read_until_eof(fd.get(), 64, deadline, reply, &error);
  return reply == std::string("PONG\0", 5);
}

std::unique_ptr<ClamdDaemon> ClamdDaemon::start(const std::string& extra_config,
                                                std::string* error) {
  if (::access(kClamd, X_OK) != 0) {
    *error = std::string(kClamd) + " not installed (Debian package clamav-daemon)";
    return nullptr;
  }
  std::unique_ptr<ClamdDaemon> d(new ClamdDaemon);
  const std::string dir = d->dir_.path();
  if (dir.empty()) {
    *error = "mkdtemp failed";
    return nullptr;
  }
  std::filesystem::create_directory(dir + "/db");
  for (const char* f : {"qscan-test.hdb", "qscan-test.ndb"})
    std::filesystem::copy_file(test_signature_dir() + "/" + f, dir + "/db/" + f);
  d->socket_ = dir + "/clamd.sock";
  d->port_ = free_tcp_port();
  std::string conf =
      "Foreground yes\n"
      "LocalSocket " +
      d->socket_ +
      "\n"
      "TCPSocket " +
      std::to_string(d->port_) +
      "\n"
      "TCPAddr 127.0.0.1\n"
      "DatabaseDirectory " +
      dir +
      "/db\n"
      "TemporaryDirectory " +
      dir +
      "\n"
      "LogFile " +
      dir +
      "/clamd.log\n"
      "PidFile " +
      dir +
      "/clamd.pid\n"
      "User root\n"
      "SelfCheck 0\n" +
      extra_config;
  write_file(dir + "/clamd.conf", conf);
  auto t0 = std::chrono::steady_clock::now();
  if (!d->process_.start({kClamd, "-c", dir + "/clamd.conf"}, dir + "/clamd.out", error))
    return nullptr;
  std::string tcp = d->tcp_address();
  std::string sock = d->socket_;
  if (!d->process_.wait_ready([&] { return clamd_answers_ping(sock) && clamd_answers_ping(tcp); },
                              60000, error)) {
    *error += "; clamd output: " + read_file(dir + "/clamd.out");
    return nullptr;
  }
  d->startup_ms_ = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  return d;
}

ClamdDaemon::~ClamdDaemon() { process_.stop(); }

std::string ClamdDaemon::log() const { return read_file(dir_.path() + "/clamd.log"); }

}  // namespace qscan::testing
