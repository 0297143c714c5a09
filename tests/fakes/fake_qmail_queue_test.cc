// fake-qmail-queue speaks qmail-queue(8)'s protocol; run_qmail_queue_protocol drives it the
// way qmail-smtpd does.
#include <signal.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/qmail_queue_run.h"

namespace qscan::testing {
namespace {

using namespace std::string_literals;

const std::string kMessage =
    "Received: from unknown (HELO client.example.org) (192.0.2.10)\n"
    "  by mx.example.net with SMTP; 2 Jan 2024 10:00:00 -0000\n"
    "From: a@example.org\nTo: b@example.net\nSubject: hi\n\nbody\n";

RunResult run_fake(const TempDir& dir, const std::string& message, const std::string& envelope,
                   std::vector<std::pair<std::string, std::string>> env = {},
                   int timeout_ms = 20000) {
  env.emplace_back("FAKE_QMAIL_QUEUE_DIR", dir.path());
  return run_qmail_queue_protocol(fake_qmail_queue_path(), {}, message, envelope, env, timeout_ms);
}

TEST(MakeEnvelope, Format) {
  EXPECT_EQ(make_envelope("a@b", {"c@d", "e@f"}), "Fa@b\0Tc@d\0Te@f\0\0"s);
  EXPECT_EQ(make_envelope("", {}), "F\0\0"s);
}

TEST(FakeQmailQueue, StoresMessageAndEnvelopeByteExact) {
  TempDir dir;
  const std::string env = make_envelope("a@example.org", {"b@example.net", "c@example.net"});
  RunResult r = run_fake(dir, kMessage, env);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  auto d = read_deliveries(dir.path());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, kMessage);
  EXPECT_EQ(d[0].envelope, env);
}

TEST(FakeQmailQueue, BinaryAndLargeMessage) {
  TempDir dir;
  std::string msg;
  for (int i = 0; i < 3 * 1024 * 1024; ++i) msg.push_back(static_cast<char>((i * 7) & 0xff));
  const std::string env = make_envelope("a@example.org", {"b@example.net"});
  RunResult r = run_fake(dir, msg, env);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.message_write_incomplete);
  auto d = read_deliveries(dir.path());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].message == msg);
  EXPECT_EQ(d[0].envelope, env);
}

TEST(FakeQmailQueue, BounceSenderAndZeroRecipientsAccepted) {
  TempDir dir;
  EXPECT_EQ(run_fake(dir, kMessage, make_envelope("", {"b@example.net"})).exit_code, 0);
  EXPECT_EQ(run_fake(dir, kMessage, make_envelope("a@example.org", {})).exit_code, 0);
  EXPECT_EQ(run_fake(dir, "", make_envelope("a@example.org", {"b@x"})).exit_code, 0);
  auto d = read_deliveries(dir.path());
  ASSERT_EQ(d.size(), 3u);  // sorted by name = delivery order
  EXPECT_EQ(d[0].envelope, "F\0Tb@example.net\0\0"s);
  EXPECT_EQ(d[1].envelope, "Fa@example.org\0\0"s);
  EXPECT_EQ(d[2].message, "");
}

TEST(FakeQmailQueue, BytesAfterFinalNulAreNotStored) {
  TempDir dir;
  RunResult r = run_fake(dir, kMessage, "Fa\0Tb\0\0garbage"s);
  EXPECT_EQ(r.exit_code, 0);
  auto d = read_deliveries(dir.path());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, "Fa\0Tb\0\0"s);
}

struct BadEnvelope {
  std::string envelope;
  int exit_code;
};

class FakeQmailQueueBad : public ::testing::TestWithParam<BadEnvelope> {};

TEST_P(FakeQmailQueueBad, RejectsAndStoresNothing) {
  TempDir dir;
  RunResult r = run_fake(dir, kMessage, GetParam().envelope);
  EXPECT_EQ(r.exit_code, GetParam().exit_code);
  EXPECT_EQ(r.signal, 0);
  EXPECT_TRUE(read_deliveries(dir.path()).empty());
  // No temp files left either.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

INSTANTIATE_TEST_SUITE_P(
    Envelopes, FakeQmailQueueBad,
    ::testing::Values(BadEnvelope{""s, 54},                // truncated-message case: empty fd 1
                      BadEnvelope{"F"s, 54},               // EOF in sender
                      BadEnvelope{"Fa@b\0"s, 54},          // EOF before final NUL
                      BadEnvelope{"Fa@b\0Tc@d\0"s, 54},    // EOF before final NUL
                      BadEnvelope{"Fa@b\0Tc@d"s, 54},      // EOF in recipient
                      BadEnvelope{"Ta@b\0\0"s, 91},        // not F first
                      BadEnvelope{"\0"s, 91},              // not F first
                      BadEnvelope{"Fa@b\0Xc@d\0\0"s, 91},  // not T where a recipient is due
                      BadEnvelope{"F" + std::string(1003, 'a') + "\0\0"s, 11},  // sender too long
                      BadEnvelope{"Fa\0T" + std::string(5000, 'a') + "\0\0"s,
                                  11}));  // recipient too long

TEST(FakeQmailQueue, LongestAllowedAddress) {
  TempDir dir;
  const std::string env = "F" + std::string(1002, 'a') + "\0Tb\0\0"s;
  EXPECT_EQ(run_fake(dir, kMessage, env).exit_code, 0);
  ASSERT_EQ(read_deliveries(dir.path()).size(), 1u);
}

TEST(FakeQmailQueue, ExitSwitch) {
  TempDir dir;
  const std::string env = make_envelope("a@b", {"c@d"});
  RunResult r = run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_EXIT", "71"}});
  EXPECT_EQ(r.exit_code, 71);
  EXPECT_FALSE(r.message_write_incomplete);  // it read the whole message first
  EXPECT_TRUE(read_deliveries(dir.path()).empty());
  EXPECT_EQ(run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_EXIT", "0"}}).exit_code, 0);
  EXPECT_TRUE(read_deliveries(dir.path()).empty());
  EXPECT_EQ(run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_EXIT", "bogus"}}).exit_code, 81);
}

TEST(FakeQmailQueue, SignalSwitch) {
  TempDir dir;
  const std::string env = make_envelope("a@b", {"c@d"});
  for (int sig : {SIGKILL, SIGTERM, SIGSEGV}) {
    RunResult r = run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_SIGNAL", std::to_string(sig)}});
    EXPECT_EQ(r.signal, sig);
    EXPECT_EQ(r.exit_code, -1);
  }
  EXPECT_TRUE(read_deliveries(dir.path()).empty());
}

TEST(FakeQmailQueue, SleepSwitchAndTimeout) {
  TempDir dir;
  const std::string env = make_envelope("a@b", {"c@d"});
  RunResult r = run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_SLEEP_MS", "10000"}}, 300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_TRUE(read_deliveries(dir.path()).empty());
  r = run_fake(dir, kMessage, env, {{"FAKE_QMAIL_QUEUE_SLEEP_MS", "50"}});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(read_deliveries(dir.path()).size(), 1u);
}

TEST(FakeQmailQueue, NoDirDiscardsAndExitsZero) {
  const std::string env = make_envelope("a@b", {"c@d"});
  RunResult r = run_qmail_queue_protocol(fake_qmail_queue_path(), {}, kMessage, env,
                                         {{"FAKE_QMAIL_QUEUE_DIR", ""}});
  EXPECT_EQ(r.exit_code, 0);
  // Still validates.
  r = run_qmail_queue_protocol(fake_qmail_queue_path(), {}, kMessage, "", {});
  EXPECT_EQ(r.exit_code, 54);
}

TEST(FakeQmailQueue, UnwritableDirIs53) {
  TempDir dir;
  RunResult r =
      run_qmail_queue_protocol(fake_qmail_queue_path(), {}, kMessage, make_envelope("a@b", {"c@d"}),
                               {{"FAKE_QMAIL_QUEUE_DIR", dir.path() + "/missing"}});
  EXPECT_EQ(r.exit_code, 53);
}

// The runner itself: fds as qmail-smtpd sets them up.
TEST(RunQmailQueueProtocol, CapturesStderrFd4Fd6) {
  RunResult r = run_qmail_queue_protocol(
      "/bin/sh",
      {"-c", "cat >/dev/null; cat <&1 >&2; printf 'Dno thanks' >&6; printf 'four' >&4; exit 82"},
      kMessage, "Fa\0Tb\0\0"s, {});
  EXPECT_EQ(r.exit_code, 82);
  EXPECT_EQ(r.stderr_text, "Fa\0Tb\0\0"s);  // fd 1 carried the envelope
  EXPECT_EQ(r.fd6_text, "Dno thanks");
  EXPECT_EQ(r.fd4_text, "four");
  EXPECT_TRUE(r.stdout_text.empty());
}

TEST(RunQmailQueueProtocol, OnlyProtocolFdsAreOpen) {
  RunResult r = run_qmail_queue_protocol(
      "/bin/sh", {"-c", "cat >/dev/null; ls /proc/self/fd | sort -n | tr '\\n' ' ' >&2"}, kMessage,
      "", {});
  EXPECT_EQ(r.exit_code, 0);
  // ls itself has one extra fd open for the directory listing.
  EXPECT_TRUE(r.stderr_text.rfind("0 1 2 3 4 6 ", 0) == 0 ||
              r.stderr_text.rfind("0 1 2 4 6 ", 0) == 0)
      << r.stderr_text;
}

TEST(RunQmailQueueProtocol, ExtraEnvOverrides) {
  RunResult r = run_qmail_queue_protocol("/bin/sh", {"-c", "printf %s \"$QSCAN_T\" >&2"}, "", "",
                                         {{"QSCAN_T", "one"}, {"PATH", "/usr/bin:/bin"}});
  EXPECT_EQ(r.stderr_text, "one");
}

TEST(RunQmailQueueProtocol, ChildNotReadingMessageDoesNotKillUs) {
  std::string big(4 * 1024 * 1024, 'x');
  RunResult r = run_qmail_queue_protocol("/bin/sh", {"-c", "exit 31"}, big, "Fa\0\0"s, {});
  EXPECT_EQ(r.exit_code, 31);
  EXPECT_TRUE(r.message_write_incomplete);
}

TEST(RunQmailQueueProtocol, HelperHoldingFd6IsATimeout) {
  // The program exits 0, but a helper it left behind keeps fd 6 open: qmail-smtpd would hang.
  RunResult r = run_qmail_queue_protocol("/bin/sh", {"-c", "cat >/dev/null; sleep 30 & exit 0"},
                                         kMessage, "", {}, 500);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(RunQmailQueueProtocol, MissingBinaryThrows) {
  EXPECT_THROW(run_qmail_queue_protocol("/nonexistent/qscan", {}, "", "", {}), std::runtime_error);
}

}  // namespace
}  // namespace qscan::testing
