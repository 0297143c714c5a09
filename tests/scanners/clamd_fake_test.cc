// The clamd client worker against a test-only fake clamd (the far end of a socketpair)
// that answers with garbage, overlong, truncated or missing replies: always an error
// record with a clear detail, never clean.
#include <gtest/gtest.h>

#include <string>

#include "tests/scanners/arena_capture.h"
#include "tests/scanners/fake_peer.h"
#include "tests/scanners/test_messages.h"
#include "workers/daemons/clamd_worker.h"

namespace qscan::daemons {
namespace {

using namespace std::string_literals;
using testing::ArenaCapture;
using testing::bytes_of;
using testing::FakePeer;

struct Outcome {
  ipc::DecodedArena arena;
  std::string request;
};

// Runs the worker (INSTREAM unless fildes) against a fake sending `reply`.
Outcome run_against(const std::string& reply, bool fildes = false, bool hold_open = false,
                    int timeout_ms = 5000) {
  FakePeer peer(reply, testing::clamd_request_done, hold_open);
  ArenaCapture arena;
  std::string msg = testing::kEicar;
  // FILDES needs a descriptor to pass; any will do for the fake (it closes it).
  run_clamd_scan(peer.client_fd(), fildes ? peer.client_fd() : -1, bytes_of(msg), fildes,
                 timeout_ms, arena.writer());
  Outcome o{arena.decode(), {}};
  peer.join();
  o.request = peer.request();
  return o;
}

std::string error_of(const Outcome& o) {
  EXPECT_TRUE(o.arena.hits.empty());
  EXPECT_TRUE(o.arena.scan_done);
  EXPECT_EQ(o.arena.items_scanned, 0u);
  EXPECT_EQ(o.arena.scan_errors.size(), 1u);
  return o.arena.scan_errors.empty() ? "" : o.arena.scan_errors[0].detail;
}

TEST(ClamdFake, RequestIsAnInstreamSession) {
  Outcome o = run_against("1: ClamAV 1.4.6/27000/Mon Nov 23 09:00:00 2026\0002: stream: OK\0"s);
  EXPECT_TRUE(o.arena.scan_errors.empty());
  ASSERT_EQ(o.arena.scanners.size(), 1u);
  EXPECT_EQ(o.arena.scanners[0].version, "1.4.6/27000");
  std::string want =
      "zIDSESSION\0zVERSION\0zINSTREAM\0\0\0\0\x44"s + testing::kEicar + "\0\0\0\0zEND\0"s;
  EXPECT_EQ(o.request, want);
}

TEST(ClamdFake, RequestIsAFildesSession) {
  FakePeer peer("1: ClamAV 1.4.6\0002: fd[5]: Eicar-Test-Signature FOUND\0"s,
                testing::clamd_request_done);
  ArenaCapture arena;
  run_clamd_scan(peer.client_fd(), peer.client_fd(), {}, true, 5000, arena.writer());
  const auto& d = arena.decode();
  peer.join();
  EXPECT_EQ(peer.request(), "zIDSESSION\0zVERSION\0zFILDES\0\0zEND\0"s);
  EXPECT_EQ(peer.received_fds(), 1);
  ASSERT_EQ(d.hits.size(), 1u);
  EXPECT_EQ(d.hits[0].name, "Eicar-Test-Signature");
}

TEST(ClamdFake, UnofficialSuffixIsDropped) {
  Outcome o = run_against("1: ClamAV 1.4.6\0002: stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0"s);
  ASSERT_EQ(o.arena.hits.size(), 1u);
  EXPECT_EQ(o.arena.hits[0].name, "Eicar-Test-Signature");
}

TEST(ClamdFake, OverlongReply) {
  std::string detail = error_of(run_against(std::string(20000, 'A')));
  EXPECT_NE(detail.find("exceeds"), std::string::npos) << detail;
}

TEST(ClamdFake, OverlongSingleReply) {
  std::string detail = error_of(
      run_against("1: ClamAV 1.4.6\0002: stream: "s + std::string(5000, 'A') + " FOUND\0"s));
  EXPECT_NE(detail.find("longer than 4096"), std::string::npos) << detail;
}

TEST(ClamdFake, MalformedReplies) {
  struct Case {
    std::string reply;
    const char* expect;
  } cases[] = {
      {"", "without a reply"},
      {"hello\0"s, "unrecognised clamd reply: \"hello\""},
      {"1: ClamAV 1.4.6\0002: stream: OK"s, "not NUL-terminated"},
      {"1: ClamAV 1.4.6\0002: stream: OK\n"s, "not NUL-terminated"},
      {"1: ClamAV 1.4.6\0"s, "without a scan result"},
      {"1: ClamAV 1.4.6\0002: stream: Eicar\x01 FOUND\0"s, "control or non-ASCII"},
      {"1: ClamAV 1.4.6\0002: stream: OK\0003: stream: OK\0"s, "unexpected clamd session reply"},
      {"1: ClamAV 1.4.6\0002: stream: Can't allocate memory ERROR\0"s,
       "clamd: stream: Can't allocate memory ERROR"},
      {"COMMAND READ TIMED OUT\n"s, "COMMAND READ TIMED OUT"},
  };
  for (const Case& c : cases) {
    std::string detail = error_of(run_against(c.reply));
    EXPECT_NE(detail.find(c.expect), std::string::npos)
        << "want " << c.expect << ", got " << detail;
  }
}

TEST(ClamdFake, SilentDaemonTimesOut) {
  std::string detail = error_of(run_against("", false, true, 300));
  EXPECT_NE(detail.find("timed out after 300 ms"), std::string::npos) << detail;
}

}  // namespace
}  // namespace qscan::daemons
