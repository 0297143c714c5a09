// qscan quarantine list/show/release/delete against a spool the pipeline filled: the
// EICAR sample is quarantined by qmail-scanner-queue, then the admin command works on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/tools/tool_run.h"

namespace {

namespace fs = std::filesystem;
using namespace qscan::testing::tools;
using qscan::testing::make_envelope;
using qscan::testing::read_deliveries;
using qscan::testing::read_file;

// A minimal JSON validator (RFC 8259 grammar), enough to prove `--json` output parses.
class JsonCheck {
 public:
  explicit JsonCheck(const std::string& s) : s_(s) {}
  bool ok() {
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(const char* w) {
    std::string t(w);
    if (s_.compare(i_, t.size(), t) != 0) return false;
    i_ += t.size();
    return true;
  }
  bool str() {
    if (s_[i_] != '"') return false;
    for (++i_; i_ < s_.size(); ++i_) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) return false;
        if (s_[i_] == 'u') {
          for (int k = 0; k < 4; ++k)
            if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_])))
              return false;
        } else if (std::string("\"\\/bfnrt").find(s_[i_]) == std::string::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool num() {
    std::size_t st = i_;
    if (s_[i_] == '-') ++i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                              s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-'))
      ++i_;
    return i_ > st;
  }
  bool value() {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == close) return ++i_, true;
      while (true) {
        ws();
        if (c == '{') {
          if (i_ >= s_.size() || !str()) return false;
          ws();
          if (i_ >= s_.size() || s_[i_++] != ':') return false;
          ws();
        }
        if (!value()) return false;
        ws();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (s_[i_] == close) return ++i_, true;
        return false;
      }
    }
    if (c == '"') return str();
    if (c == 't') return lit("true");
    if (c == 'f') return lit("false");
    if (c == 'n') return lit("null");
    return num();
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

class QuarantineCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    eicar_ = sample("eicar.eml");
    auto r = box_.inject(eicar_, "sender@example.org", {"rcpt@example.net", "two@example.net"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    ASSERT_TRUE(read_deliveries(box_.store()).empty()) << "EICAR was delivered";
    auto files = files_in(box_.spool() + "/quarantine/viruses/new");
    ASSERT_EQ(files.size(), 1u);
    path_ = files[0];
    name_ = fs::path(path_).filename().string();
    id_ = "viruses/" + name_;
  }

  std::string release_log() const {
    std::error_code ec;
    return fs::exists(box_.spool() + "/release.log", ec) ? read_file(box_.spool() + "/release.log")
                                                         : std::string();
  }

  Sandbox box_;
  std::string eicar_, path_, name_, id_;
};

TEST_F(QuarantineCommand, ListShowsQuarantinedEicar) {
  auto r = box_.qscan({"quarantine", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, id_)) << r.out;
  EXPECT_TRUE(contains(r.out, "sender@example.org")) << r.out;
  EXPECT_TRUE(contains(r.out, "rcpt@example.net,two@example.net")) << r.out;
  // The reason the pipeline recorded (the virus name).
  const std::string file = read_file(path_);
  const std::string key = "X-Qmail-Scanner-Quarantine-Reason: ";
  const auto p = file.find(key);
  ASSERT_NE(p, std::string::npos);
  const std::string reason = file.substr(p + key.size(), file.find('\n', p) - p - key.size());
  EXPECT_FALSE(reason.empty());
  EXPECT_TRUE(contains(r.out, reason)) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST_F(QuarantineCommand, ClassFilter) {
  // A second, real quarantine in policy/: a worker-failure or policy verdict would do; a
  // policy rule on the attachment name is the simplest.
  const std::string rules = box_.root() + "/rules.txt";
  {
    std::ofstream f(rules);
    f << "report.pdf\t0\tNo PDFs here\n";
  }
  box_.write_config("policy_file = \"" + rules + "\"\n");
  const std::string msg =
      "From: a@example.org\nTo: b@example.net\nSubject: pdf\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nhi\n"
      "--b\nContent-Type: application/pdf; name=\"report.pdf\"\n"
      "Content-Disposition: attachment; filename=\"report.pdf\"\n\n%PDF-1.4 nothing\n--b--\n";
  auto inj = box_.inject(msg, "a@example.org", {"b@example.net"});
  ASSERT_EQ(inj.exit_code, 0) << inj.stderr_text;
  ASSERT_EQ(files_in(box_.spool() + "/quarantine/policy/new").size(), 1u);

  auto all = box_.qscan({"quarantine", "list"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(contains(all.out, "viruses/")) << all.out;
  EXPECT_TRUE(contains(all.out, "policy/")) << all.out;

  auto v = box_.qscan({"quarantine", "list", "--class", "viruses"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_TRUE(contains(v.out, id_));
  EXPECT_FALSE(contains(v.out, "policy/")) << v.out;

  auto p = box_.qscan({"quarantine", "list", "--class", "policy"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(contains(p.out, "policy/")) << p.out;
  EXPECT_TRUE(contains(p.out, "No PDFs here") || contains(p.out, "report.pdf")) << p.out;
  EXPECT_FALSE(contains(p.out, "viruses/")) << p.out;

  auto s = box_.qscan({"quarantine", "list", "--class", "spam"});
  ASSERT_EQ(s.exit_code, 0);
  EXPECT_EQ(s.out, "");

  EXPECT_EQ(box_.qscan({"quarantine", "list", "--class", "junk"}).exit_code, 2);
}

TEST_F(QuarantineCommand, SinceFilter) {
  set_age(path_, 3 * 86400);  // quarantined three days ago
  auto r2 = box_.qscan({"quarantine", "list", "--since", "2d"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_FALSE(contains(r2.out, id_)) << r2.out;
  auto r4 = box_.qscan({"quarantine", "list", "--since", "4d"});
  ASSERT_EQ(r4.exit_code, 0);
  EXPECT_TRUE(contains(r4.out, id_)) << r4.out;
  set_age(path_, 20 * 60);
  EXPECT_TRUE(contains(box_.qscan({"quarantine", "list", "--since", "30m"}).out, id_));
  EXPECT_TRUE(contains(box_.qscan({"quarantine", "list", "--since", "12h"}).out, id_));
  EXPECT_EQ(box_.qscan({"quarantine", "list", "--since", "soon"}).exit_code, 2);
}

TEST_F(QuarantineCommand, JsonParses) {
  auto r = box_.qscan({"quarantine", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(JsonCheck(r.out).ok()) << r.out;
  EXPECT_TRUE(contains(r.out, "\"id\":\"" + id_ + "\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"class\":\"viruses\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"sender\":\"sender@example.org\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"recipients\":[\"rcpt@example.net\",\"two@example.net\"]"))
      << r.out;
  auto empty = box_.qscan({"quarantine", "list", "--json", "--class", "spam"});
  EXPECT_TRUE(JsonCheck(empty.out).ok()) << empty.out;
  EXPECT_FALSE(JsonCheck("[{\"id\":}]").ok());  // the checker itself can fail
}

TEST_F(QuarantineCommand, ShowPrintsEnvelopeAndPartsNotPayload) {
  auto r = box_.qscan({"quarantine", "show", id_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sender:      sender@example.org")) << r.out;
  EXPECT_TRUE(contains(r.out, "recipient:   rcpt@example.net")) << r.out;
  EXPECT_TRUE(contains(r.out, "recipient:   two@example.net")) << r.out;
  EXPECT_TRUE(contains(r.out, "subject:     EICAR test attachment")) << r.out;
  EXPECT_TRUE(contains(r.out, "message-id:  eicar-0001@client.example.org")) << r.out;
  EXPECT_TRUE(contains(r.out, "multipart/mixed")) << r.out;
  EXPECT_TRUE(contains(r.out, "name=\"eicar.com\"  68 bytes")) << r.out;
  EXPECT_TRUE(contains(r.out, "size:        " + std::to_string(eicar_.size()) + " bytes")) << r.out;
  EXPECT_FALSE(contains(r.out, eicar_string())) << "payload printed";
  EXPECT_FALSE(contains(r.out, "EICAR-STANDARD")) << "payload printed";
  EXPECT_FALSE(contains(r.out, "WDVPIVAlQEFQ")) << "encoded payload printed";
  EXPECT_FALSE(contains(r.out, "The attachment is the EICAR")) << "body text printed";
}

TEST_F(QuarantineCommand, ReleaseDeliversOriginalBytesWithRecordedEnvelope) {
  auto r = box_.qscan({"quarantine", "release", id_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = read_deliveries(box_.store());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, eicar_);  // byte-exact: our X-Qmail-Scanner-* block removed
  EXPECT_EQ(d[0].envelope,
            make_envelope("sender@example.org", {"rcpt@example.net", "two@example.net"}));
  // Marked released: moved to cur/ with the P(assed) and S(een) flags.
  EXPECT_TRUE(files_in(box_.spool() + "/quarantine/viruses/new").empty());
  EXPECT_EQ(files_in(box_.spool() + "/quarantine/viruses/cur"),
            std::vector<std::string>{box_.spool() + "/quarantine/viruses/cur/" + name_ + ":2,PS"});
  const std::string log = release_log();
  EXPECT_TRUE(contains(log, "\treleased\t" + id_ + "\t")) << log;
  EXPECT_TRUE(contains(log, "\trcpt@example.net,two@example.net\n")) << log;
  // Listed as released; a second release needs --force.
  EXPECT_TRUE(contains(box_.qscan({"quarantine", "list"}).out, "(released)"));
  auto again = box_.qscan({"quarantine", "release", id_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(read_deliveries(box_.store()).size(), 1u);
  auto forced = box_.qscan({"quarantine", "release", "viruses/" + name_ + ":2,PS", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_deliveries(box_.store()).size(), 2u);
}

TEST_F(QuarantineCommand, ReleaseIsByteExactForCrlfAndNoFinalNewline) {
  // The EICAR sample with CRLF line ends, an odd header byte and no final newline.
  std::string msg = "X-Odd: \x01\xff\n" + eicar_;
  for (std::size_t p = 0; (p = msg.find('\n', p)) != std::string::npos; p += 2) msg.insert(p, "\r");
  msg.resize(msg.size() - 2);
  auto inj = box_.inject(msg, "", {"r@example.net"});  // bounce sender: F\0
  ASSERT_EQ(inj.exit_code, 0) << inj.stderr_text;
  ASSERT_TRUE(read_deliveries(box_.store()).empty());
  std::string id;
  for (const char* cls : {"viruses", "policy"})
    for (const auto& f : files_in(box_.spool() + "/quarantine/" + cls + "/new"))
      if (f != path_) id = cls + ("/" + fs::path(f).filename().string());
  ASSERT_FALSE(id.empty());
  auto r = box_.qscan({"quarantine", "release", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = read_deliveries(box_.store());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, msg);
  EXPECT_EQ(d[0].envelope, make_envelope("", {"r@example.net"}));
}

TEST_F(QuarantineCommand, ReleaseToOverridesRecipients) {
  auto r = box_.qscan({"quarantine", "release", id_, "--to", "admin@example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = read_deliveries(box_.store());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, eicar_);
  EXPECT_EQ(d[0].envelope, make_envelope("sender@example.org", {"admin@example.com"}));
  EXPECT_TRUE(contains(release_log(), "\tadmin@example.com\n")) << release_log();
}

// A message that itself begins with our header names (possible through qmail-inject) cannot
// add a recipient or lose a line on release: the Rcpt-Count header ends our block.
TEST_F(QuarantineCommand, ForgedRcptToInTheMessageIsNotARecipient) {
  const std::string msg = "X-Qmail-Scanner-Rcpt-To: evil@example.com\n" + eicar_;
  auto inj = box_.inject(msg, "s@example.org", {"r@example.net"});
  ASSERT_EQ(inj.exit_code, 0) << inj.stderr_text;
  std::string id;
  for (const auto& f : files_in(box_.spool() + "/quarantine/viruses/new"))
    if (f != path_) id = "viruses/" + fs::path(f).filename().string();
  ASSERT_FALSE(id.empty());
  auto r = box_.qscan({"quarantine", "release", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto d = read_deliveries(box_.store());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, make_envelope("s@example.org", {"r@example.net"}));
  EXPECT_EQ(d[0].message, msg);
}

TEST_F(QuarantineCommand, ReleaseFailureKeepsMessage) {
  auto r = box_.qscan({"quarantine", "release", id_}, {{"FAKE_QMAIL_QUEUE_EXIT", "53"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "exit 53")) << r.err;
  EXPECT_EQ(files_in(box_.spool() + "/quarantine/viruses/new"), std::vector<std::string>{path_});
  EXPECT_EQ(release_log(), "");
}

TEST_F(QuarantineCommand, DeleteRemoves) {
  auto r = box_.qscan({"quarantine", "delete", id_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_TRUE(contains(release_log(), "\tdeleted\t" + id_ + "\t")) << release_log();
  EXPECT_TRUE(read_deliveries(box_.store()).empty());
  EXPECT_EQ(box_.qscan({"quarantine", "list"}).out, "");
  EXPECT_EQ(box_.qscan({"quarantine", "delete", id_}).exit_code, 1);  // gone
}

TEST_F(QuarantineCommand, BadIdsRejected) {
  // A file outside the quarantine that a traversal would reach.
  const std::string victim = box_.spool() + "/victim";
  { std::ofstream(victim) << "X-Qmail-Scanner-Quarantine-Date: x\n"; }
  const std::vector<std::string> bad = {
      "../x",        "viruses/../../victim", "viruses/..",       "viruses/", "viruses/.hidden",
      "viruses/a/b", "unknown/" + name_,     "archive/" + name_, name_,      "viruses/a\nb"};
  for (const auto& id : bad) {
    for (const char* cmd : {"show", "release", "delete"}) {
      auto r = box_.qscan({"quarantine", cmd, id});
      EXPECT_EQ(r.exit_code, 2) << cmd << " " << id << ": " << r.err;
    }
  }
  EXPECT_TRUE(fs::exists(victim));
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_TRUE(read_deliveries(box_.store()).empty());
  EXPECT_EQ(box_.qscan({"quarantine", "show", "viruses/nonexistent"}).exit_code, 1);
  EXPECT_EQ(box_.qscan({"quarantine", "bogus"}).exit_code, 2);
}

}  // namespace
