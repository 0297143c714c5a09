// Supervisor-side connecting: address forms, timeouts, the pool's round robin and failover.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "tests/scanners/daemon_process.h"
#include "tests/scanners/sandboxed_run.h"
#include "workers/daemons/connect.h"
#include "workers/daemons/pool.h"

namespace qscan::daemons {
namespace {

// A listening unix socket in a temp dir (never accepted: the kernel completes connects).
class Listener {
 public:
  explicit Listener(const std::string& path) : path_(path) {
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
    EXPECT_EQ(::listen(fd_.get(), 16), 0);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  ipc::UniqueFd fd_;
};

TEST(DaemonAddress, Forms) {
  DaemonAddress a;
  std::string err;
  ASSERT_TRUE(parse_daemon_address("/run/clamav/clamd.ctl", a, &err));
  EXPECT_TRUE(a.is_unix);
  EXPECT_EQ(a.path, "/run/clamav/clamd.ctl");
  ASSERT_TRUE(parse_daemon_address("unix:/run/x.sock", a, &err));
  EXPECT_EQ(a.path, "/run/x.sock");
  ASSERT_TRUE(parse_daemon_address("tcp:127.0.0.1:3310", a, &err));
  EXPECT_FALSE(a.is_unix);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, "3310");
  ASSERT_TRUE(parse_daemon_address("tcp:[::1]:783", a, &err));
  EXPECT_EQ(a.host, "::1");
  ASSERT_TRUE(parse_daemon_address("tcp:clamd.example:3310", a, &err));
  EXPECT_EQ(a.host, "clamd.example");
  for (const char* bad :
       {"", "unix:", "tcp:", "tcp:host", "tcp::3310", "tcp:host:0", "tcp:host:65536",
        "tcp:host:33a", "tcp:::1:783", "tcp:[::1:783", "tcp:host:"}) {
    EXPECT_FALSE(parse_daemon_address(bad, a, &err)) << bad;
  }
  EXPECT_FALSE(parse_daemon_address("/" + std::string(200, 'x'), a, &err));
  EXPECT_TRUE(is_unix_address("/run/clamd.ctl"));
  EXPECT_FALSE(is_unix_address("tcp:127.0.0.1:1"));
}

TEST(ConnectDaemon, UnixSocket) {
  testing::TempDir dir;
  Listener l(dir.path() + "/d.sock");
  std::string err;
  ipc::UniqueFd fd = connect_daemon(l.path(), 1000, &err);
  EXPECT_TRUE(fd) << err;
}

TEST(ConnectDaemon, MissingSocketFailsWithTheAddress) {
  testing::TempDir dir;
  std::string err;
  ipc::UniqueFd fd = connect_daemon(dir.path() + "/none.sock", 1000, &err);
  EXPECT_FALSE(fd);
  EXPECT_NE(err.find("none.sock"), std::string::npos) << err;
  EXPECT_NE(err.find("No such file"), std::string::npos) << err;
}

TEST(ConnectDaemon, RefusedTcpPort) {
  int port = testing::free_tcp_port();
  std::string err;
  ipc::UniqueFd fd = connect_daemon("tcp:127.0.0.1:" + std::to_string(port), 1000, &err);
  EXPECT_FALSE(fd);
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
}

TEST(ConnectDaemon, TcpTimeoutIsBounded) {
  // 192.0.2.0/24 (TEST-NET-1) is never routed: connect either hangs (then our timeout
  // ends it) or fails at once with "unreachable" where there is no route at all.
  auto t0 = std::chrono::steady_clock::now();
  std::string err;
  ipc::UniqueFd fd = connect_daemon("tcp:192.0.2.1:3310", 200, &err);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_FALSE(fd);
  EXPECT_LT(ms, 2000);
  EXPECT_FALSE(err.empty());
}

TEST(DaemonPool, Order) {
  EXPECT_TRUE(pool_order(0, 5).empty());
  EXPECT_EQ(pool_order(3, 0), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(pool_order(3, 1), (std::vector<std::size_t>{1, 2, 0}));
  EXPECT_EQ(pool_order(3, 5), (std::vector<std::size_t>{2, 0, 1}));
}

TEST(DaemonPool, RoundRobinAndFailover) {
  testing::TempDir dir;
  Listener a(dir.path() + "/a.sock"), b(dir.path() + "/b.sock");
  std::string down = dir.path() + "/down.sock";
  std::vector<std::string> addrs = {a.path(), down, b.path()};
  std::string err;
  PoolConnection c = connect_pool(addrs, 0, 500, &err);
  ASSERT_TRUE(c.fd);
  EXPECT_EQ(c.address, a.path());
  EXPECT_TRUE(c.is_unix);
  EXPECT_TRUE(c.failures.empty());
  c = connect_pool(addrs, 1, 500, &err);  // starts at the dead one, fails over to b
  ASSERT_TRUE(c.fd);
  EXPECT_EQ(c.address, b.path());
  ASSERT_EQ(c.failures.size(), 1u);
  EXPECT_NE(c.failures[0].find("down.sock"), std::string::npos);
  c = connect_pool(addrs, 2, 500, &err);
  EXPECT_EQ(c.address, b.path());
}

TEST(DaemonPool, AllDown) {
  testing::TempDir dir;
  std::string err;
  PoolConnection c = connect_pool({dir.path() + "/x.sock", dir.path() + "/y.sock"}, 7, 200, &err);
  EXPECT_FALSE(c.fd);
  EXPECT_EQ(c.failures.size(), 2u);
  EXPECT_NE(err.find("x.sock"), std::string::npos);
  EXPECT_NE(err.find("y.sock"), std::string::npos);
  c = connect_pool({}, 0, 200, &err);
  EXPECT_FALSE(c.fd);
  EXPECT_EQ(err, "no daemon address configured");
}

// The helper the sandboxed worker tests rely on really confines: creating a socket (what
// a client worker must never do) kills the child.
TEST(SandboxedRun, ForbiddenSyscallKills) {
  testing::SandboxedOutcome o =
      testing::run_sandboxed([](ipc::ArenaWriter&) { ::socket(AF_UNIX, SOCK_STREAM, 0); });
  EXPECT_FALSE(o.exited_cleanly);
  EXPECT_EQ(o.status, "killed by signal 31");  // SIGSYS
}

}  // namespace
}  // namespace qscan::daemons
