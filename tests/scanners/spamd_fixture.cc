#include "tests/scanners/spamd_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "workers/daemons/connect.h"
#include "workers/daemons/socket_io.h"

namespace qscan::testing {
namespace {

constexpr const char* kSpamd = "/usr/sbin/spamd";
constexpr const char* kShippedRules = "/usr/share/spamassassin";
constexpr const char* kSiteConfig = "/etc/spamassassin";

}  // namespace

bool spamd_answers_ping(const std::string& address) {
  std::string error;
  ipc::UniqueFd fd = daemons::connect_daemon(address, 500, &error);
  if (!fd) return false;
  daemons::Deadline deadline(2000);
  if (daemons::send_bytes(fd.get(), "PING SPAMC/1.5\r\n\r\n", deadline, &error) !=
      daemons::IoStatus::kOk)
    return false;
  std::string reply;
  daemons::read_until_eof(fd.get(), 256, deadline, reply, &error);
  return reply.starts_with("SPAMD/1.") && reply.ends_with(" 0 PONG\r\n");
}

std::unique_ptr<SpamdDaemon> SpamdDaemon::start(std::string* error) {
  namespace fs = std::filesystem;
  if (::access(kSpamd, X_OK) != 0) {
    *error = std::string(kSpamd) + " not installed (Debian package spamassassin)";
    return nullptr;
  }
  std::unique_ptr<SpamdDaemon> d(new SpamdDaemon);
  const std::string dir = d->dir_.path();
  if (dir.empty()) {
    *error = "mkdtemp failed";
    return nullptr;
  }
  ::chmod(dir.c_str(), 0755);  // spamd's children run as nobody and use dir as HOME
  fs::create_directory(dir + "/site");
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(kSiteConfig, ec)) {
    if (e.path().extension() == ".pre")
      fs::copy_file(e.path(), dir + "/site/" + e.path().filename().string());
  }
  d->socket_ = dir + "/spamd.sock";
  d->port_ = free_tcp_port();
  auto t0 = std::chrono::steady_clock::now();
  if (!d->process_.start(
          {kSpamd, "--local", "--nouser-config", "--listen=" + d->socket_,
           "--listen=127.0.0.1:" + std::to_string(d->port_),
           std::string("--configpath=") + kShippedRules, "--siteconfigpath=" + dir + "/site",
           "--helper-home-dir=" + dir, "--pidfile=" + dir + "/spamd.pid", "--syslog=stderr",
           "--min-children=1", "--max-children=3"},
          dir + "/spamd.log", error))
    return nullptr;
  std::string sock = d->socket_, tcp = d->tcp_address();
  if (!d->process_.wait_ready([&] { return spamd_answers_ping(sock) && spamd_answers_ping(tcp); },
                              60000, error)) {
    *error += "; spamd log: " + read_file(dir + "/spamd.log");
    return nullptr;
  }
  d->startup_ms_ = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  return d;
}

SpamdDaemon::~SpamdDaemon() { process_.stop(); }

std::string SpamdDaemon::log() const { return read_file(dir_.path() + "/spamd.log"); }

}  // namespace qscan::testing
