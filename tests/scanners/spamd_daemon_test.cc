// The spamd client worker against a real spamd (started once for this binary), and
// against a test-only fake spamd.
#include <gtest/gtest.h>

#include <memory>

#include "tests/scanners/arena_capture.h"
#include "tests/scanners/fake_peer.h"
#include "tests/scanners/sandboxed_run.h"
#include "tests/scanners/spamd_fixture.h"
#include "tests/scanners/test_messages.h"
#include "workers/daemons/connect.h"
#include "workers/daemons/spam_result.h"
#include "workers/daemons/spamd_worker.h"

namespace qscan::daemons {
namespace {

using testing::ArenaCapture;
using testing::bytes_of;
using testing::SpamdDaemon;

class SpamdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string err;
    daemon_ = SpamdDaemon::start(&err);
    if (!daemon_)
      error_ = err;
    else
      std::printf("[ spamd    ] ready in %d ms\n", daemon_->startup_ms());
  }
  void TearDown() override { daemon_.reset(); }
  static SpamdDaemon* daemon() { return daemon_.get(); }
  static const std::string& error() { return error_; }

 private:
  static std::unique_ptr<SpamdDaemon> daemon_;
  static std::string error_;
};
std::unique_ptr<SpamdDaemon> SpamdEnvironment::daemon_;
std::string SpamdEnvironment::error_;
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SpamdEnvironment);

class SpamdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(SpamdEnvironment::daemon(), nullptr) << SpamdEnvironment::error();
  }

  static SpamResult check(const std::string& address, const std::string& message,
                          const std::string& user = "qscand") {
    std::string err;
    ipc::UniqueFd sock = connect_daemon(address, 2000, &err);
    EXPECT_TRUE(sock) << err;
    ArenaCapture arena;
    run_spamd_check(sock.get(), bytes_of(message), user, 30000, arena.writer());
    return decode_spam_result(arena.decode());
  }
};

const ipc::HeaderRecord* find_header(const SpamResult& r, const std::string& name) {
  for (const ipc::HeaderRecord& h : r.headers)
    if (h.name == name) return &h;
  return nullptr;
}

TEST_F(SpamdTest, GtubeIsSpamWithHeaders) {
  SpamResult r = check(SpamdEnvironment::daemon()->unix_address(), testing::gtube_message());
  ASSERT_FALSE(r.failed) << r.error;
  EXPECT_TRUE(r.is_spam);
  EXPECT_GE(r.score_value, 1000.0);
  EXPECT_EQ(r.threshold, "5.0");
  EXPECT_TRUE(r.version.ends_with("(SPAMD/1.1)")) << r.version;
  const ipc::HeaderRecord* flag = find_header(r, "X-Spam-Flag");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(flag->value, "YES");
  const ipc::HeaderRecord* status = find_header(r, "X-Spam-Status");
  ASSERT_NE(status, nullptr);
  EXPECT_TRUE(status->value.starts_with("Yes, score=")) << status->value;
  EXPECT_NE(status->value.find("GTUBE"), std::string::npos);
  for (const ipc::HeaderRecord& h : r.headers) EXPECT_TRUE(h.name.starts_with("X-Spam-")) << h.name;
}

TEST_F(SpamdTest, GtubeOverTcp) {
  SpamResult r = check(SpamdEnvironment::daemon()->tcp_address(), testing::gtube_message());
  ASSERT_FALSE(r.failed) << r.error;
  EXPECT_TRUE(r.is_spam);
}

TEST_F(SpamdTest, HamIsNotSpam) {
  SpamResult r = check(SpamdEnvironment::daemon()->unix_address(), testing::clean_message(), "");
  ASSERT_FALSE(r.failed) << r.error;
  EXPECT_FALSE(r.is_spam);
  EXPECT_LT(r.score_value, r.threshold_value);
  const ipc::HeaderRecord* status = find_header(r, "X-Spam-Status");
  ASSERT_NE(status, nullptr);
  EXPECT_TRUE(status->value.starts_with("No, score=")) << status->value;
  EXPECT_EQ(find_header(r, "X-Spam-Flag"), nullptr);
}

TEST_F(SpamdTest, SandboxedWorker) {
  std::string err;
  ipc::UniqueFd sock = connect_daemon(SpamdEnvironment::daemon()->unix_address(), 2000, &err);
  ASSERT_TRUE(sock) << err;
  std::string msg = testing::gtube_message();
  testing::SandboxedOutcome o = testing::run_sandboxed(
      [&](ipc::ArenaWriter& w) { run_spamd_check(sock.get(), bytes_of(msg), "qscand", 30000, w); });
  ASSERT_TRUE(o.exited_cleanly) << o.status;
  ASSERT_EQ(o.decode_error, "");
  SpamResult r = decode_spam_result(o.arena);
  ASSERT_FALSE(r.failed) << r.error;
  EXPECT_TRUE(r.is_spam);
}

TEST_F(SpamdTest, DownDaemonIsAConnectError) {
  testing::TempDir dir;
  std::string err;
  EXPECT_FALSE(connect_daemon(dir.path() + "/spamd.sock", 500, &err));
  EXPECT_NE(err.find("spamd.sock"), std::string::npos) << err;
  EXPECT_FALSE(
      connect_daemon("tcp:127.0.0.1:" + std::to_string(testing::free_tcp_port()), 500, &err));
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
}

// A fake spamd on a socketpair.
SpamResult against_fake(const std::string& reply, bool hold_open = false, int timeout_ms = 5000,
                        std::string* request = nullptr) {
  testing::FakePeer peer(reply, testing::spamd_request_done, hold_open);
  ArenaCapture arena;
  std::string msg = testing::gtube_message();
  run_spamd_check(peer.client_fd(), bytes_of(msg), "qscand", timeout_ms, arena.writer());
  SpamResult r = decode_spam_result(arena.decode());
  peer.join();
  if (request) *request = peer.request();
  return r;
}

TEST(SpamdFake, RequestForm) {
  std::string request;
  SpamResult r = against_fake(
      "SPAMD/1.1 0 EX_OK\r\nContent-length: 17\r\nSpam: False ; 0.5 / 5.0\r\n\r\nX-Spam-Flag: "
      "NO\n\n",
      false, 5000, &request);
  EXPECT_FALSE(r.failed) << r.error;
  EXPECT_EQ(r.version, "SPAMD/1.1");  // no X-Spam-Checker-Version header
  std::string msg = testing::gtube_message();
  EXPECT_EQ(request, "HEADERS SPAMC/1.5\r\nContent-length: " + std::to_string(msg.size()) +
                         "\r\nUser: qscand\r\n\r\n" + msg);
}

TEST(SpamdFake, MalformedReplies) {
  struct Case {
    std::string reply;
    const char* expect;
  } cases[] = {
      {"", "without a reply"},
      {"garbage\r\n\r\n", "malformed spamd status line: \"garbage\""},
      {"SPAMD/1.1 0 EX_OK\r\nSpam: Perhaps ; 1 / 5\r\nContent-length: 0\r\n\r\n",
       "bad spamd Spam header"},
      {"SPAMD/1.1 0 EX_OK\r\nContent-length: 99\r\nSpam: True ; 1.0 / 5.0\r\n\r\nshort",
       "Content-length says 99"},
      {"SPAMD/1.0 76 Bad header line: (Content-Length mismatch: Expected 1 bytes, got 2 bytes)\r\n",
       "spamd: 76 Bad header line"},
      {"SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n", "no Spam header"},
  };
  for (const Case& c : cases) {
    SpamResult r = against_fake(c.reply);
    EXPECT_TRUE(r.failed);
    EXPECT_FALSE(r.is_spam);
    EXPECT_NE(r.error.find(c.expect), std::string::npos)
        << "want " << c.expect << ", got " << r.error;
  }
}

TEST(SpamdFake, OverlongReply) {
  std::string msg_size_bound(spamd_reply_limit(testing::gtube_message().size()) + 10, 'x');
  SpamResult r = against_fake("SPAMD/1.1 0 EX_OK\r\n" + msg_size_bound);
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.error.find("reply exceeds"), std::string::npos) << r.error;
}

TEST(SpamdFake, SilentDaemonTimesOut) {
  SpamResult r = against_fake("", true, 300);
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.error.find("timed out after 300 ms"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace qscan::daemons
