// The clamd client worker against a real clamd: FILDES over the unix socket, INSTREAM over
// TCP, version, size limit, a stopped (slow) and a killed clamd.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "tests/scanners/arena_capture.h"
#include "tests/scanners/clamd_fixture.h"
#include "tests/scanners/sandboxed_run.h"
#include "tests/scanners/test_messages.h"
#include "workers/daemons/clamd_client.h"
#include "workers/daemons/clamd_worker.h"
#include "workers/daemons/connect.h"

namespace qscan::daemons {
namespace {

using testing::ArenaCapture;
using testing::bytes_of;
using testing::ClamdDaemon;

// The message as the supervisor holds it: a sealed memfd (for FILDES) and its bytes.
struct SealedMessage {
  ipc::UniqueFd fd;
  std::string bytes;
};

SealedMessage seal(const std::string& content) {
  std::string err;
  SealedMessage m{ipc::create_memfd("qscan-test-msg", &err), content};
  EXPECT_TRUE(m.fd) << err;
  EXPECT_EQ(::write(m.fd.get(), content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  EXPECT_TRUE(ipc::seal_readonly(m.fd.get(), &err)) << err;
  return m;
}

class ClamdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string err;
    daemon_ = ClamdDaemon::start("StreamMaxLength 1M\n", &err).release();
    ASSERT_NE(daemon_, nullptr) << err;
    std::printf("[ clamd    ] ready in %d ms\n", daemon_->startup_ms());
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override {
    if (daemon_ == nullptr) GTEST_SKIP() << "clamd did not start";
  }

  // Connects as the supervisor would, then runs the worker function.
  static const ipc::DecodedArena& scan(ArenaCapture& arena, const std::string& address,
                                       const SealedMessage& m, bool fildes,
                                       int timeout_ms = 10000) {
    std::string err;
    ipc::UniqueFd sock = connect_daemon(address, 2000, &err);
    EXPECT_TRUE(sock) << err;
    run_clamd_scan(sock.get(), m.fd.get(), bytes_of(m.bytes), fildes, timeout_ms, arena.writer());
    return arena.decode();
  }

  static ClamdDaemon* daemon_;
};
ClamdDaemon* ClamdTest::daemon_ = nullptr;

void expect_eicar_hit(const ipc::DecodedArena& d) {
  EXPECT_TRUE(d.scan_errors.empty()) << d.scan_errors.at(0).detail;
  ASSERT_EQ(d.hits.size(), 1u);
  EXPECT_EQ(d.hits[0].scanner, "clamd");
  EXPECT_EQ(d.hits[0].name, "Eicar-Test-Signature");
  EXPECT_EQ(d.hits[0].path, "");
  ASSERT_EQ(d.scanners.size(), 1u);
  EXPECT_EQ(d.scanners[0].scanner, "clamd");
  EXPECT_TRUE(d.scan_done);
  EXPECT_EQ(d.items_scanned, 1u);
}

void expect_clean(const ipc::DecodedArena& d) {
  EXPECT_TRUE(d.scan_errors.empty()) << d.scan_errors.at(0).detail;
  EXPECT_TRUE(d.hits.empty());
  ASSERT_EQ(d.scanners.size(), 1u);
  EXPECT_TRUE(d.scan_done);
  EXPECT_EQ(d.items_scanned, 1u);
}

std::string only_error(const ipc::DecodedArena& d) {
  EXPECT_TRUE(d.hits.empty());
  EXPECT_TRUE(d.scan_done);
  EXPECT_EQ(d.items_scanned, 0u);
  if (d.scan_errors.size() != 1u) {
    ADD_FAILURE() << "expected one scan error, got " << d.scan_errors.size();
    return {};
  }
  EXPECT_EQ(d.scan_errors[0].scanner, "clamd");
  return d.scan_errors[0].detail;
}

TEST_F(ClamdTest, VersionQuery) {
  std::string err;
  ipc::UniqueFd sock = connect_daemon(daemon_->unix_address(), 2000, &err);
  ASSERT_TRUE(sock) << err;
  ClamdReply v = clamd_version(sock.get(), 5000);
  ASSERT_EQ(v.kind, ClamdReplyKind::kVersion) << v.error;
  EXPECT_FALSE(v.engine.empty());
  // Our private database has no daily.cvd, so clamd reports the engine alone.
  EXPECT_EQ(v.version_string(), v.engine);
}

TEST_F(ClamdTest, EicarOverUnixWithFildes) {
  ArenaCapture arena;
  const auto& d = scan(arena, daemon_->unix_address(), seal(testing::kEicar), true);
  expect_eicar_hit(d);
  EXPECT_FALSE(d.scanners[0].version.empty());
}

TEST_F(ClamdTest, EicarOverTcpWithInstream) {
  ArenaCapture arena;
  expect_eicar_hit(scan(arena, daemon_->tcp_address(), seal(testing::kEicar), false));
}

TEST_F(ClamdTest, EicarOverUnixWithInstream) {
  ArenaCapture arena;
  expect_eicar_hit(scan(arena, daemon_->unix_address(), seal(testing::kEicar), false));
}

TEST_F(ClamdTest, EicarAttachmentInManyChunks) {
  // 300 KB of text first: five INSTREAM chunks; clamd decodes the MIME itself.
  SealedMessage m = seal(testing::eicar_attachment_message(300 * 1024));
  ArenaCapture a1, a2;
  expect_eicar_hit(scan(a1, daemon_->tcp_address(), m, false));
  expect_eicar_hit(scan(a2, daemon_->unix_address(), m, true));
}

TEST_F(ClamdTest, CleanMessageBothWays) {
  SealedMessage m = seal(testing::clean_message());
  ArenaCapture a1, a2;
  expect_clean(scan(a1, daemon_->unix_address(), m, true));
  expect_clean(scan(a2, daemon_->tcp_address(), m, false));
}

TEST_F(ClamdTest, EmptyMessage) {
  ArenaCapture arena;
  expect_clean(scan(arena, daemon_->tcp_address(), seal(""), false));
}

TEST_F(ClamdTest, InstreamOverSizeLimitIsAnError) {
  // The fixture's clamd has StreamMaxLength 1M.
  ArenaCapture arena;
  std::string detail =
      only_error(scan(arena, daemon_->tcp_address(), seal(testing::large_message(2 << 20)), false));
  EXPECT_NE(detail.find("size limit exceeded"), std::string::npos) << detail;
  std::printf("[ detail   ] %s\n", detail.c_str());
}

TEST_F(ClamdTest, FildesOverTcpIsRefused) {
  // FILDES only works on a unix socket: clamd waits for a descriptor that never comes and
  // gives up; we must not read its silence as clean.
  ArenaCapture arena;
  std::string detail =
      only_error(scan(arena, daemon_->tcp_address(), seal(testing::kEicar), true, 1500));
  EXPECT_FALSE(detail.empty());
  std::printf("[ detail   ] %s\n", detail.c_str());
}

// The worker code under a seccomp filter allowing only the daemon-client syscalls: the
// supervisor connects, the confined child speaks the protocol.
TEST_F(ClamdTest, SandboxedWorkerBothMethods) {
  SealedMessage m = seal(testing::kEicar);
  for (bool fildes : {true, false}) {
    std::string err;
    ipc::UniqueFd sock =
        connect_daemon(fildes ? daemon_->unix_address() : daemon_->tcp_address(), 2000, &err);
    ASSERT_TRUE(sock) << err;
    testing::SandboxedOutcome o = testing::run_sandboxed([&](ipc::ArenaWriter& w) {
      run_clamd_scan(sock.get(), m.fd.get(), bytes_of(m.bytes), fildes, 10000, w);
    });
    ASSERT_TRUE(o.exited_cleanly) << o.status;
    ASSERT_EQ(o.decode_error, "");
    expect_eicar_hit(o.arena);
  }
}

// Each of these gets its own clamd, started and killed by the test.
class ClamdFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    daemon_ = ClamdDaemon::start("", &err);
    ASSERT_NE(daemon_, nullptr) << err;
  }
  // Connects, lets clamd accept, then stops it so our request stays in flight.
  ipc::UniqueFd connect_then_stop() {
    std::string err;
    ipc::UniqueFd sock = connect_daemon(daemon_->unix_address(), 2000, &err);
    EXPECT_TRUE(sock) << err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    daemon_->process().signal(SIGSTOP);
    return sock;
  }
  std::unique_ptr<ClamdDaemon> daemon_;
};

TEST_F(ClamdFailureTest, KilledMidScanInstream) {
  ipc::UniqueFd sock = connect_then_stop();
  // 8 MB: more than the socket buffers hold, so the worker is blocked mid-stream.
  SealedMessage m = seal(testing::large_message(8 << 20));
  ArenaCapture arena;
  std::thread worker([&] {
    run_clamd_scan(sock.get(), m.fd.get(), bytes_of(m.bytes), false, 20000, arena.writer());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  daemon_->process().kill_and_reap();
  worker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  std::string detail = only_error(arena.decode());
  EXPECT_NE(detail.find("clamd"), std::string::npos) << detail;
  std::printf("[ detail   ] %s\n", detail.c_str());
}

TEST_F(ClamdFailureTest, KilledMidScanFildes) {
  ipc::UniqueFd sock = connect_then_stop();
  SealedMessage m = seal(testing::kEicar);
  ArenaCapture arena;
  std::thread worker([&] {
    run_clamd_scan(sock.get(), m.fd.get(), bytes_of(m.bytes), true, 20000, arena.writer());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  daemon_->process().kill_and_reap();
  worker.join();
  std::string detail = only_error(arena.decode());
  EXPECT_NE(detail.find("clamd"), std::string::npos) << detail;
  std::printf("[ detail   ] %s\n", detail.c_str());
}

TEST_F(ClamdFailureTest, SlowDaemonTimesOut) {
  ipc::UniqueFd sock = connect_then_stop();
  SealedMessage m = seal(testing::kEicar);
  ArenaCapture arena;
  auto t0 = std::chrono::steady_clock::now();
  run_clamd_scan(sock.get(), m.fd.get(), bytes_of(m.bytes), true, 400, arena.writer());
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, std::chrono::milliseconds(390));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  std::string detail = only_error(arena.decode());
  EXPECT_NE(detail.find("timed out after 400 ms"), std::string::npos) << detail;
}

TEST_F(ClamdFailureTest, DownDaemonIsAConnectError) {
  std::string address = daemon_->unix_address();
  std::string tcp = daemon_->tcp_address();
  daemon_.reset();  // SIGTERM, wait: clamd removes its socket
  std::string err;
  EXPECT_FALSE(connect_daemon(address, 500, &err));
  EXPECT_NE(err.find(address), std::string::npos) << err;
  EXPECT_FALSE(connect_daemon(tcp, 500, &err));
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
}

}  // namespace
}  // namespace qscan::daemons
