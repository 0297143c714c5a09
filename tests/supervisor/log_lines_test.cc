#include <gtest/gtest.h>

#include <cstdlib>

#include "supervisor/log_lines.h"

namespace qscan::supervisor {
namespace {

// Golden lines derived from the reference's syslog example:
// "Clear:RC:1(1.2.3.4): 0.030769 11569 root@x.y jdoe@y.z More_Power! <msgid> name:size"
LogRecord example() {
  LogRecord r;
  r.status = "Clear:RC:1(1.2.3.4):";
  r.seconds = 0.030769;
  r.size = 11569;
  r.sender = "root@x.y";
  r.recipient = "jdoe@y.z";
  r.subject = "More Power!";
  r.message_id = "<20020814042234.27902.qmail@x.y>";
  r.attachments = {{"1029298961.30804-0.srvname", 10649}};
  return r;
}

TEST(SyslogText, MatchesTheReferenceExample) {
  EXPECT_EQ(syslog_text(example()),
            "Clear:RC:1(1.2.3.4): 0.030769 11569 root@x.y jdoe@y.z More_Power! "
            "<20020814042234.27902.qmail@x.y> 1029298961.30804-0.srvname:10649");
}

TEST(SyslogText, EmptyFieldsAreAngleBrackets) {
  LogRecord r = example();
  r.sender = "";
  r.subject = "";
  r.attachments.clear();
  EXPECT_EQ(syslog_text(r),
            "Clear:RC:1(1.2.3.4): 0.030769 11569 <> jdoe@y.z <> <20020814042234.27902.qmail@x.y>");
}

TEST(SyslogText, CapsFieldsAndLine) {
  LogRecord r = example();
  r.subject = std::string(500, 's');
  r.sender = std::string(500, 'f');
  std::string t = syslog_text(r);
  EXPECT_NE(t.find(" " + std::string(100, 'f') + " "), std::string::npos);
  EXPECT_NE(t.find(" " + std::string(80, 's') + " "), std::string::npos);
  r.attachments.assign(200, {"attachment-name.bin", 12345});
  EXPECT_EQ(syslog_text(r).size(), 1024u);
}

TEST(SyslogText, ControlBytesRemovedAndRecipientSpacesBecomePipes) {
  LogRecord r = example();
  r.subject = "a\x01\x02 b";
  r.recipient = "x y";
  std::string t = syslog_text(r);
  EXPECT_NE(t.find(" a_b "), std::string::npos);
  EXPECT_NE(t.find(" x|y "), std::string::npos);
}

TEST(SyslogText, ElapsedIsCutToEightCharacters) {
  LogRecord r = example();
  r.seconds = 12.3456789;
  EXPECT_EQ(syslog_text(r).substr(21, 9), "12.34567 ");
}

TEST(MailstatsLine, IsTabSeparatedWithDate) {
  setenv("TZ", "UTC", 1);
  LogRecord r = example();
  r.when = 1029298961;  // 14 Aug 2002 04:22:41 UTC
  EXPECT_EQ(mailstats_line(r),
            "14/08/2002 04:22:41\tClear:RC:1(1.2.3.4):\t0.030769\t11569\troot@x.y\tjdoe@y.z\tMore "
            "Power!\t"
            "<20020814042234.27902.qmail@x.y>\t1029298961.30804-0.srvname:10649\n");
}

TEST(QuarantineLogLine, IsTabSeparated) {
  setenv("TZ", "UTC", 1);
  QuarantineLogRecord q{
      1029298961,        "a@b", {"c@d", "e@f"}, "Hi\tthere", "virus:Eicar-Test-Signature",
      "clamav: 1.4.6/0."};
  EXPECT_EQ(quarantine_log_line(q),
            "Wed, 14 Aug 2002 04:22:41 +0000\ta@b\tc@d,e@f\tHi there\tvirus:Eicar-Test-Signature\t"
            "clamav: 1.4.6/0.\n");
}

}  // namespace
}  // namespace qscan::supervisor
