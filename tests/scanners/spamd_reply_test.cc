// Unit tests of the strict spamd reply parser, the request head, and the arena encoding of
// spam results (write, validate, decode as the supervisor does).
#include <gtest/gtest.h>

#include <string>

#include "tests/scanners/arena_capture.h"
#include "workers/daemons/spam_result.h"
#include "workers/daemons/spamd_client.h"
#include "workers/daemons/spamd_reply.h"

namespace qscan::daemons {
namespace {

std::string reply_with(std::string status, std::string spam, const std::string& body,
                       std::string extra_headers = "") {
  return status + "\r\nContent-length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
         "Spam: " + spam + "\r\n\r\n" + body;
}

const char kBody[] =
    "Received: from localhost by vm\n"
    "\twith SpamAssassin (version 4.0.1);\n"
    "\tTue, 24 Nov 2026 02:43:31 +0000\n"
    "From: a@b.c\n"
    "Subject: test\n"
    "X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on vm\n"
    "X-Spam-Flag: YES\n"
    "X-Spam-Level: *****\n"
    "X-Spam-Status: Yes, score=1003.3 required=5.0 tests=GTUBE,MISSING_DATE,\n"
    "\tMISSING_MID autolearn=no\n"
    "\tautolearn_force=no version=4.0.1\n"
    "MIME-Version: 1.0\n"
    "\n";

TEST(SpamdReply, SpamWithHeaders) {
  SpamdResponse r =
      parse_spamd_response(reply_with("SPAMD/1.1 0 EX_OK", "True ; 1003.3 / 5.0", kBody));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.protocol, "SPAMD/1.1");
  EXPECT_TRUE(r.is_spam);
  EXPECT_EQ(r.score, "1003.3");
  EXPECT_EQ(r.threshold, "5.0");
  EXPECT_EQ(r.body, kBody);

  std::vector<ipc::HeaderRecord> h;
  std::string err;
  ASSERT_TRUE(extract_spam_headers(r.body, h, &err)) << err;
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].name, "X-Spam-Checker-Version");
  EXPECT_EQ(h[1].name, "X-Spam-Flag");
  EXPECT_EQ(h[1].value, "YES");
  EXPECT_EQ(h[3].name, "X-Spam-Status");
  EXPECT_EQ(h[3].value,
            "Yes, score=1003.3 required=5.0 tests=GTUBE,MISSING_DATE,\n\tMISSING_MID "
            "autolearn=no\n\tautolearn_force=no version=4.0.1");
  EXPECT_EQ(spamassassin_version(h), "4.0.1");
}

TEST(SpamdReply, HamNegativeScore) {
  SpamdResponse r = parse_spamd_response(
      reply_with("SPAMD/1.1 0 EX_OK", "False ; -0.1 / 5.0", "X-Spam-Status: No\r\n\r\n"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.is_spam);
  EXPECT_EQ(r.score, "-0.1");
  std::vector<ipc::HeaderRecord> h;
  ASSERT_TRUE(extract_spam_headers(r.body, h, nullptr));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].value, "No");  // CR dropped with CRLF lines
}

TEST(SpamdReply, YesNoFlagsAndUnknownHeaders) {
  EXPECT_TRUE(parse_spamd_response(reply_with("SPAMD/1.1 0 EX_OK", "Yes ; 6 / 5", "")).is_spam);
  SpamdResponse r = parse_spamd_response(
      reply_with("SPAMD/1.5 0 EX_OK", "No ; 1.25 / 5.0", "", "X-Future: thing\r\n"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.protocol, "SPAMD/1.5");
}

TEST(SpamdReply, ErrorCodes) {
  SpamdResponse r =
      parse_spamd_response("SPAMD/1.0 76 Bad header line: (Content-Length mismatch)\r\n");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("spamd: 76 Bad header line"), std::string::npos) << r.error;
  r = parse_spamd_response(reply_with("SPAMD/1.1 0 OK", "True ; 1.0 / 5.0", ""));
  EXPECT_FALSE(r.ok);
}

TEST(SpamdReply, MalformedIsAnError) {
  struct Case {
    std::string bytes;
    const char* expect;
  } cases[] = {
      {"", "without a reply"},
      {"SPAMD/1.1 0 EX_OK", "no status line"},
      {"HTTP/1.1 200 OK\r\n\r\n", "malformed spamd status line"},
      {"SPAMD/1 0 EX_OK\r\n\r\n", "malformed spamd status line"},
      {"SPAMD/1.1 zero EX_OK\r\n\r\n", "malformed spamd status line"},
      {"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1.0 / 5.0\r\n", "not terminated"},
      {"SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n", "no Spam header"},
      {"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1.0 / 5.0\r\n\r\n", "no Content-length"},
      {reply_with("SPAMD/1.1 0 EX_OK", "Maybe ; 1.0 / 5.0", ""), "bad spamd Spam header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; lots / 5.0", ""), "bad spamd Spam header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1.0/5.0", ""), "bad spamd Spam header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1e9 / 5.0", ""), "bad spamd Spam header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1.0 / 5.0", "", "Spam: True ; 1.0 / 5.0\r\n"),
       "bad spamd Spam header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1.0 / 5.0", "", "garbage line\r\n"),
       "malformed spamd reply header"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1.0 / 5.0", "",
                  "X: a\x01"
                  "b\r\n"),
       "control bytes"},
      {"SPAMD/1.1 0 EX_OK\r\nContent-length: 10\r\nSpam: True ; 1.0 / 5.0\r\n\r\nshort",
       "body is 5 bytes"},
      {"SPAMD/1.1 0 EX_OK\r\nContent-length: -1\r\nSpam: True ; 1.0 / 5.0\r\n\r\n",
       "bad spamd Content-length"},
      {reply_with("SPAMD/1.1 0 EX_OK", "True ; 1.0 / 5.0", "") + "trailing", "body is 8 bytes"},
      {"SPAMD/1.1 0 EX_OK\r\n" + std::string(kMaxSpamdResponseHead, 'x'), "not terminated"},
      {"SPAMD/1.1 0 EX_OK\r\nX: " + std::string(kMaxSpamdResponseHead, 'x') + "\r\n\r\n", "exceed"},
  };
  for (const Case& c : cases) {
    SpamdResponse r = parse_spamd_response(c.bytes);
    EXPECT_FALSE(r.ok) << c.expect;
    EXPECT_NE(r.error.find(c.expect), std::string::npos)
        << "want " << c.expect << ", got " << r.error;
  }
}

TEST(SpamdReply, NumberForms) {
  for (const char* ok : {"0", "5.0", "-4.4", "1003.3", "12.125"})
    EXPECT_TRUE(valid_spamd_number(ok));
  for (const char* bad : {"", "-", ".5", "5.", "1e3", "+1", "1.23456", "1234567890", "1,5"})
    EXPECT_FALSE(valid_spamd_number(bad)) << bad;
}

TEST(SpamdHeaders, MalformedAndLimits) {
  std::vector<ipc::HeaderRecord> h;
  std::string err;
  // Headers of the message that are not X-Spam-* may be malformed: not our business.
  EXPECT_TRUE(
      extract_spam_headers("Bogus line\n\tcont\nX-Spam-Flag: YES\n\nX-Spam-Body: no\n", h, &err));
  ASSERT_EQ(h.size(), 1u);  // stops at the blank line
  h.clear();
  std::string many;
  for (int i = 0; i < 65; ++i) many += "X-Spam-N" + std::to_string(i) + ": v\n";
  EXPECT_FALSE(extract_spam_headers(many, h, &err));
  EXPECT_NE(err.find("more than 64"), std::string::npos);
  h.clear();
  EXPECT_FALSE(extract_spam_headers(std::string("X-Spam-Flag: Y\0ES\n", 17), h, &err));
}

TEST(SpamdRequest, Head) {
  EXPECT_EQ(spamd_request_head(42, "qscand"),
            "HEADERS SPAMC/1.5\r\nContent-length: 42\r\nUser: qscand\r\n\r\n");
  EXPECT_EQ(spamd_request_head(0, ""), "HEADERS SPAMC/1.5\r\nContent-length: 0\r\n\r\n");
  EXPECT_EQ(spamd_request_head(1, "bad\r\nUser: root"), "");
  EXPECT_EQ(spamd_request_head(1, "two words"), "");
  EXPECT_EQ(spamd_reply_limit(0), 256u * 1024);
  EXPECT_EQ(spamd_reply_limit(std::size_t{1} << 40), 64u * 1024 * 1024);
}

TEST(SpamResult, RoundTripThroughArena) {
  SpamdCheckResult in =
      interpret_spamd_reply(reply_with("SPAMD/1.1 0 EX_OK", "True ; 1003.3 / 5.0", kBody));
  ASSERT_TRUE(in.ok) << in.error;
  EXPECT_EQ(in.version_string(), "4.0.1 (SPAMD/1.1)");
  testing::ArenaCapture arena;
  write_spam_result(arena.writer(), in);
  SpamResult out = decode_spam_result(arena.decode());
  ASSERT_FALSE(out.failed) << out.error;
  EXPECT_TRUE(out.is_spam);
  EXPECT_EQ(out.score, "1003.3");
  EXPECT_EQ(out.threshold, "5.0");
  EXPECT_DOUBLE_EQ(out.score_value, 1003.3);
  EXPECT_DOUBLE_EQ(out.threshold_value, 5.0);
  EXPECT_EQ(out.version, "4.0.1 (SPAMD/1.1)");
  ASSERT_EQ(out.headers.size(), 4u);
  EXPECT_EQ(out.headers[1].name, "X-Spam-Flag");
}

TEST(SpamResult, FailureRoundTrip) {
  SpamdCheckResult in;
  in.error = "spamd timed out after 100 ms (no reply)";
  testing::ArenaCapture arena;
  write_spam_result(arena.writer(), in);
  SpamResult out = decode_spam_result(arena.decode());
  EXPECT_TRUE(out.failed);
  EXPECT_EQ(out.error, in.error);
}

TEST(SpamResult, DecoderRefusesForeignRecords) {
  {
    testing::ArenaCapture arena;
    ipc::write_scanner_info(arena.writer(), {"spamassassin", "SPAMD/1.1"});
    ipc::write_header(arena.writer(), {"Subject", "rewritten"});
    ipc::write_finding(arena.writer(), {"spam", "1.0/5.0/0", ""});
    ipc::write_scan_done(arena.writer(), "spamassassin", 1);
    SpamResult out = decode_spam_result(arena.decode());
    EXPECT_TRUE(out.failed);
    EXPECT_NE(out.error.find("other than X-Spam"), std::string::npos);
  }
  {
    testing::ArenaCapture arena;
    ipc::write_scanner_info(arena.writer(), {"spamassassin", "SPAMD/1.1"});
    ipc::write_finding(arena.writer(), {"spam", "1.0/5.0/yes", ""});
    ipc::write_scan_done(arena.writer(), "spamassassin", 1);
    EXPECT_TRUE(decode_spam_result(arena.decode()).failed);
  }
  {
    testing::ArenaCapture arena;  // no scan-done: the worker did not finish
    ipc::write_scanner_info(arena.writer(), {"spamassassin", "SPAMD/1.1"});
    ipc::write_finding(arena.writer(), {"spam", "1.0/5.0/0", ""});
    EXPECT_TRUE(decode_spam_result(arena.decode()).failed);
  }
  {
    testing::ArenaCapture arena;  // no finding
    ipc::write_scanner_info(arena.writer(), {"spamassassin", "SPAMD/1.1"});
    ipc::write_scan_done(arena.writer(), "spamassassin", 1);
    EXPECT_TRUE(decode_spam_result(arena.decode()).failed);
  }
}

}  // namespace
}  // namespace qscan::daemons
