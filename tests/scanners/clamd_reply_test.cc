// Unit tests of the strict clamd reply parser and of the session interpretation.
#include <gtest/gtest.h>

#include <string>

#include "workers/daemons/clamd_client.h"
#include "workers/daemons/clamd_reply.h"

namespace qscan::daemons {
namespace {

using K = ClamdReplyKind;
using namespace std::string_literals;

TEST(ClamdReply, StreamOk) {
  ClamdReply r = parse_clamd_reply("stream: OK");
  EXPECT_EQ(r.kind, K::kClean);
  EXPECT_EQ(r.source, "stream");
}

TEST(ClamdReply, StreamFound) {
  ClamdReply r = parse_clamd_reply("stream: Eicar-Test-Signature FOUND");
  EXPECT_EQ(r.kind, K::kFound);
  EXPECT_EQ(r.signature, "Eicar-Test-Signature");
  EXPECT_EQ(r.source, "stream");
}

TEST(ClamdReply, FildesFoundAndOk) {
  ClamdReply r = parse_clamd_reply("fd[12]: Win.Test.EICAR_HDB-1 FOUND");
  EXPECT_EQ(r.kind, K::kFound);
  EXPECT_EQ(r.source, "fd[12]");
  EXPECT_EQ(r.signature, "Win.Test.EICAR_HDB-1");
  EXPECT_EQ(parse_clamd_reply("fd[7]: OK").kind, K::kClean);
}

TEST(ClamdReply, Errors) {
  ClamdReply r = parse_clamd_reply("INSTREAM size limit exceeded. ERROR");
  EXPECT_EQ(r.kind, K::kError);
  EXPECT_NE(r.error.find("size limit exceeded"), std::string::npos);
  r = parse_clamd_reply("stream: Can't allocate memory ERROR");
  EXPECT_EQ(r.kind, K::kError);
  EXPECT_EQ(r.source, "stream");
  r = parse_clamd_reply("fd[3]: lstat() failed: No such file or directory. ERROR");
  EXPECT_EQ(r.kind, K::kError);
  EXPECT_EQ(r.source, "fd[3]");
}

TEST(ClamdReply, Version) {
  ClamdReply r = parse_clamd_reply("ClamAV 1.4.6/27000/Mon Nov 23 09:00:00 2026");
  ASSERT_EQ(r.kind, K::kVersion);
  EXPECT_EQ(r.engine, "1.4.6");
  EXPECT_EQ(r.database, "27000");
  EXPECT_EQ(r.database_date, "Mon Nov 23 09:00:00 2026");
  EXPECT_EQ(r.version_string(), "1.4.6/27000");
  r = parse_clamd_reply("ClamAV 1.4.6");
  ASSERT_EQ(r.kind, K::kVersion);
  EXPECT_EQ(r.version_string(), "1.4.6");
  EXPECT_EQ(parse_clamd_reply("ClamAV 0.103.12/26000/Sun Jan  1 00:00:00 2023").kind, K::kVersion);
}

TEST(ClamdReply, MalformedVersions) {
  for (const char* s :
       {"ClamAV ", "ClamAV x.y", "ClamAV 1.4.6/", "ClamAV 1.4.6/abc/Mon", "ClamAV 1.4.6/27000/",
        "ClamAV 1.4.6/27000", "ClamAV 1.4.6/1/2/3", "ClamAV  1.4.6"}) {
    EXPECT_EQ(parse_clamd_reply(s).kind, K::kError) << s;
  }
}

TEST(ClamdReply, Pong) { EXPECT_EQ(parse_clamd_reply("PONG").kind, K::kPong); }

TEST(ClamdReply, GarbageIsNeverClean) {
  for (const char* s :
       {"", "OK", "stream:OK", "stream: ok", "stream: OK ", " stream: OK", "stream: FOUND",
        "stream:  FOUND", "stream: Two Words FOUND", "fd[]: OK", "fd[x]: OK", "fd[1]:OK",
        "file.txt: OK", "UNKNOWN COMMAND", "COMMAND READ TIMED OUT", "stream: OK\n",
        "stream: Eicar FOUND\r", "PONG!", "ERROR"}) {
    ClamdReply r = parse_clamd_reply(s);
    EXPECT_EQ(r.kind, K::kError) << '"' << s << '"';
    EXPECT_FALSE(r.error.empty()) << s;
  }
}

TEST(ClamdReply, ControlAndHighBytes) {
  EXPECT_EQ(parse_clamd_reply("stream: Ei\x01"
                              "car FOUND")
                .kind,
            K::kError);
  EXPECT_EQ(parse_clamd_reply("stream: Eic\xc3\xa4r FOUND").kind, K::kError);
  EXPECT_EQ(parse_clamd_reply("stream: OK\0"s).kind, K::kError);
}

TEST(ClamdReply, Overlong) {
  std::string name(kMaxClamdReply, 'A');
  ClamdReply r = parse_clamd_reply("stream: " + name + " FOUND");
  EXPECT_EQ(r.kind, K::kError);
  EXPECT_NE(r.error.find("longer than 4096"), std::string::npos);
  // Just under the bound is accepted; signature names up to 1024 bytes.
  EXPECT_EQ(parse_clamd_reply("stream: " + std::string(1024, 'B') + " FOUND").kind, K::kFound);
  EXPECT_EQ(parse_clamd_reply("stream: " + std::string(1025, 'B') + " FOUND").kind, K::kError);
}

TEST(ClamdReply, SessionPrefix) {
  unsigned id = 99;
  ClamdReply r = parse_clamd_session_reply("2: stream: OK", &id);
  EXPECT_EQ(id, 2u);
  EXPECT_EQ(r.kind, K::kClean);
  r = parse_clamd_session_reply("1: ClamAV 1.4.6", &id);
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(r.kind, K::kVersion);
  r = parse_clamd_session_reply("stream: OK", &id);  // no id inside a session
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(r.kind, K::kError);
  r = parse_clamd_session_reply("0: stream: OK", &id);
  EXPECT_EQ(r.kind, K::kError);
  r = parse_clamd_session_reply("2:stream: OK", &id);
  EXPECT_EQ(r.kind, K::kError);
  r = parse_clamd_session_reply("Command invalid inside IDSESSION. ERROR", &id);
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(r.kind, K::kError);
}

TEST(ClamdSession, CleanAndInfected) {
  ClamdScanResult r = interpret_clamd_session(
      "1: ClamAV 1.4.6/27000/Mon Nov 23 09:00:00 2026\0002: stream: OK\0"s, ClamdMethod::kInstream);
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.infected);
  EXPECT_EQ(r.version, "1.4.6/27000");
  // Replies may come in either order.
  r = interpret_clamd_session("2: fd[9]: Eicar-Test-Signature FOUND\0001: ClamAV 1.4.6\0"s,
                              ClamdMethod::kFildes);
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.infected);
  EXPECT_EQ(r.signature, "Eicar-Test-Signature");
  EXPECT_EQ(r.version, "1.4.6");
}

TEST(ClamdSession, EverythingElseIsAnError) {
  struct Case {
    std::string bytes;
    ClamdMethod method;
    const char* expect;
  } cases[] = {
      {"", ClamdMethod::kInstream, "without a reply"},
      {"1: ClamAV 1.4.6\0"s, ClamdMethod::kInstream, "without a scan result"},
      {"2: stream: OK\0"s, ClamdMethod::kInstream, "did not answer VERSION"},
      {"1: ClamAV 1.4.6\0002: stream: OK"s, ClamdMethod::kInstream, "not NUL-terminated"},
      {"1: ClamAV 1.4.6\0002: fd[3]: OK\0"s, ClamdMethod::kInstream, "unexpected source"},
      {"1: ClamAV 1.4.6\0002: stream: OK\0"s, ClamdMethod::kFildes, "unexpected source"},
      {"1: ClamAV 1.4.6\0002: stream: OK\0003: stream: OK\0"s, ClamdMethod::kInstream,
       "unexpected clamd session reply id 3"},
      {"1: ClamAV 1.4.6\0002: stream: OK\0002: stream: OK\0"s, ClamdMethod::kInstream,
       "unexpected clamd session reply id 2"},
      {"1: ClamAV 1.4.6\0002: INSTREAM size limit exceeded. ERROR\0"s, ClamdMethod::kInstream,
       "size limit exceeded"},
      {"COMMAND READ TIMED OUT\n"s, ClamdMethod::kInstream, "COMMAND READ TIMED OUT"},
      {"UNKNOWN COMMAND\0"s, ClamdMethod::kInstream, "unrecognised clamd reply"},
      {"1: stream: OK\0002: stream: OK\0"s, ClamdMethod::kInstream,
       "answered VERSION with a scan reply"},
      {"1: ClamAV 1.4.6\0002: PONG\0"s, ClamdMethod::kInstream, "non-scan reply"},
      {"1: ClamAV 1.4.6\0002: stream: Eicar FOUND junk\0"s, ClamdMethod::kInstream, "unrecognised"},
      {std::string(kMaxClamdSessionReply + 1, 'x'), ClamdMethod::kInstream, "exceeds"},
  };
  for (const Case& c : cases) {
    ClamdScanResult r = interpret_clamd_session(c.bytes, c.method);
    EXPECT_FALSE(r.ok) << c.expect;
    EXPECT_FALSE(r.infected);
    EXPECT_NE(r.error.find(c.expect), std::string::npos) << r.error;
  }
}

TEST(ClamdReply, SanitizeForLog) {
  EXPECT_EQ(sanitize_for_log("a\x01"
                             "b\n"),
            "a?b?");
  EXPECT_EQ(sanitize_for_log(std::string(300, 'x'), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace qscan::daemons
