#include <gtest/gtest.h>

#include "supervisor/quarantine_writer.h"
#include "supervisor/scan_report.h"

namespace qscan::supervisor {
namespace {

TEST(StatusString, ClearWithRelayClient) {
  StatusParts s;
  s.client.relay_client = true;
  s.client.remote_ip = "10.2.10.40";
  EXPECT_EQ(status_string(s), "Clear:RC:1(10.2.10.40):");
}

TEST(StatusString, SpamAndCrypto) {
  StatusParts s;
  s.spam_configured = true;
  s.spam = {true, false, "-4.4", "5.0"};
  s.crypto = {"PGP(old-signed)"};
  EXPECT_EQ(status_string(s), "Clear:RC:0(127.0.0.1):SA:0(-4.4/5.0):CR:PGP(old-signed):");
  s.spam.ran = false;
  EXPECT_EQ(status_string(s), "Clear:RC:0(127.0.0.1):SA:0(?/?):CR:PGP(old-signed):");
}

TEST(ReceivedHeader, HasTheQmailScanner2xShape) {
  ClientInfo c;
  c.remote_ip = "1.2.3.4";
  ReportHeaderInput in{
      "a@b",  &c,        "mx.example", 1001, {{"clamav", "1.4.6/0"}}, "Clear:RC:0(1.2.3.4):",
      0.0123, 1625212826};
  EXPECT_EQ(
      received_header(in),
      "Received: from 1.2.3.4 (HELO@1.2.3.4) by mx.example (envelope-from <a@b>, uid 1001) with "
      "qscan-0.1.0\n (clamav: 1.4.6/0.\n Clear:RC:0(1.2.3.4):.\n Processed in 0.012300 secs); "
      "02 Jul 2021 08:00:26 -0000\n");
}

TEST(ReceivedHeader, EnvelopeSenderCannotInjectHeaders) {
  ClientInfo c;
  ReportHeaderInput in{"a@b\nX-Evil: 1", &c, "mx", 0, {}, "Clear", 0, 0};
  std::string h = received_header(in);
  EXPECT_EQ(h.find("\nX-Evil"), std::string::npos);
}

TEST(QuarantineAddress, EscapeRoundTripsEveryByte) {
  std::string all;
  for (int i = 1; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string esc = escape_address(all);
  EXPECT_EQ(esc.find('\n'), std::string::npos);
  std::string back;
  ASSERT_TRUE(unescape_address(esc, back));
  EXPECT_EQ(back, all);
  EXPECT_FALSE(unescape_address("a\\x4", back));
  EXPECT_FALSE(unescape_address("a\\q41", back));
}

}  // namespace
}  // namespace qscan::supervisor
