// The actions after the verdict, in process with real workers and the fake qmail-queue:
// policy-file rules, greylist, reject mode, notifications, archive, DLP monitor, and
// quarantine files a Maildir reader can read back with their envelope.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "policy/policy_rules.h"
#include "supervisor/engine_setup.h"
#include "supervisor/exit_codes.h"
#include "supervisor/host_name.h"
#include "supervisor/pipeline.h"
#include "supervisor/spool.h"

namespace qscan::supervisor {
namespace {

namespace fs = std::filesystem;

const std::string kEicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

std::string b64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v =
        (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += t[(v >> k) & 63];
  }
  if (i < in.size()) {
    unsigned v =
        (unsigned char)in[i] << 16 | (i + 1 < in.size() ? (unsigned char)in[i + 1] << 8 : 0);
    out += t[(v >> 18) & 63];
    out += t[(v >> 12) & 63];
    out += i + 1 < in.size() ? t[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string with_attachment(const std::string& name, const std::string& data,
                            const std::string& subject = "report") {
  return "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: " + subject +
         "\nMessage-ID: <t1@example.org>\nMIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
         "--b1\nContent-Type: text/plain\n\nSee attached.\n"
         "--b1\nContent-Type: application/octet-stream; name=\"" +
         name +
         "\"\nContent-Transfer-Encoding: base64\n"
         "Content-Disposition: attachment; filename=\"" +
         name + "\"\n\n" + b64(data) + "\n--b1--\n";
}

const std::string kClean =
    "From: alice@example.org\nTo: bob@example.net\nSubject: lunch\n\nTuesday at noon?\n";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext = "") {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (ext.empty() || e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class PipelineActions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    policy::Config c;
    c.clamav_db_dirs = {std::string(QSCAN_SOURCE_DIR) + "/config/signatures"};
    std::string error;
    ASSERT_TRUE(prepare_scanning(c, engine(), &error)) << error;
  }
  static workers::ClamEngine& engine() {
    static workers::ClamEngine e;
    return e;
  }
  void SetUp() override {
    char tmpl[] = "/tmp/qscan-actions-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    ::chmod(root_.c_str(), 0711);  // workers run as another uid when the tests run as root
    fs::create_directories(root_ + "/out");
    ::setenv("FAKE_QMAIL_QUEUE_DIR", (root_ + "/out").c_str(), 1);
    cfg_.spool_dir = root_ + "/spool";
    cfg_.qmail_queue = std::string(QSCAN_BINARY_DIR) + "/tests/fake-qmail-queue";
    cfg_.clamav_db_dirs = {std::string(QSCAN_SOURCE_DIR) + "/config/signatures"};
    cfg_.log_details = "mailstats";
    cfg_.hostname = "mx.example.com";
    set_host_name(cfg_.hostname);
    std::string error;
    ASSERT_TRUE(prepare_spool(cfg_.spool_dir, &error)) << error;
  }
  void TearDown() override {
    ::unsetenv("FAKE_QMAIL_QUEUE_DIR");
    fs::remove_all(root_);
  }

  void set_policy(const std::string& text) {
    std::vector<policy::PolicyError> errors;
    ASSERT_TRUE(policy::parse_policy_text(text, "test-policy", rules_, errors))
        << (errors.empty() ? "" : errors.front().to_string());
  }

  PipelineResult run(const std::string& message,
                     Envelope env = {"alice@example.org", {"bob@example.net"}}) {
    InputMessage m;
    std::string error;
    EXPECT_EQ(message_from_bytes(message, m, &error), 0) << error;
    PipelineInput in;
    in.config = &cfg_;
    in.engine = &engine();
    in.policy = &rules_;
    in.message = &m;
    in.envelope = env;
    in.envelope_bytes = encode_envelope(env);
    LogSink log(cfg_);
    return process_message(in, log);
  }

  // Deliveries the fake stored: (message, envelope) in order.
  std::vector<std::pair<std::string, std::string>> deliveries() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& env : files_in(root_ + "/out", ".env")) {
      fs::path msg = env;
      msg.replace_extension(".msg");
      out.emplace_back(slurp(msg), slurp(env));
    }
    return out;
  }

  std::string root_;
  policy::Config cfg_;
  policy::PolicySet rules_;
};

TEST_F(PipelineActions, AttachmentRuleQuarantinesAndNotifiesSenderAndAdmin) {
  set_policy(".exe\t0\tExecutables are not accepted here\n");
  auto r = run(with_attachment("invoice.exe", "MZ not really a program"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kPolicy);
  EXPECT_EQ(r.verdict.reason, "policy:Executables are not accepted here");
  EXPECT_EQ(files_in(cfg_.spool_dir + "/quarantine/policy/new").size(), 1u);
  // Default notify = psender + admin: a policy block tells the sender and the admin.
  auto d = deliveries();
  ASSERT_EQ(d.size(), 2u);
  std::set<std::string> envs;
  for (const auto& [msg, env] : d) {
    envs.insert(env);
    EXPECT_EQ(env.substr(0, 2), std::string("F\0", 2)) << "alerts go out with an empty sender";
    EXPECT_NE(msg.find("Auto-Submitted: auto-generated"), std::string::npos);
  }
  EXPECT_TRUE(envs.count(encode_envelope({"", {"alice@example.org"}})));
  EXPECT_TRUE(envs.count(encode_envelope({"", {"postmaster@mx.example.com"}})));
}

TEST_F(PipelineActions, VirusIsNotReportedToTheSenderByDefault) {
  auto r = run(with_attachment("eicar.com", kEicar));
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kViruses);
  auto d = deliveries();
  ASSERT_EQ(d.size(), 1u);  // admin only (psender: senders of viruses are forged)
  EXPECT_NE(d[0].second.find("Tpostmaster@mx.example.com"), std::string::npos);
}

TEST_F(PipelineActions, AlertsUseTheConfiguredLanguage) {
  cfg_.lang = "de";
  cfg_.notify = {"psender"};
  set_policy(".exe\t0\tKeine Programme\n");
  run(with_attachment("x.exe", "data"), {"alice@example.org", {"bob@example.net"}});
  auto d = deliveries();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].first.find("Subject: Unzustellbar"), std::string::npos) << d[0].first;
}

TEST_F(PipelineActions, HeaderRuleMatchesDecodedSubjectCaseInsensitively) {
  set_policy("iloveyou\tSubject:\tLove Letter Virus/Trojan\n");
  auto r = run(with_attachment("notes.txt", "hello", "=?UTF-8?B?SUxPVkVZT1U=?="));
  EXPECT_EQ(r.verdict.reason, "policy:Love Letter Virus/Trojan");
}

TEST_F(PipelineActions, GreylistRuleDefersWithATemporaryText) {
  set_policy("outbreak.zip\t0\tOutbreak in progress\tgreylist\n");
  auto r = run(with_attachment("outbreak.zip", "PK not really"));
  EXPECT_EQ(r.exit_code, exit_code::kTemporaryReject);
  EXPECT_TRUE(r.verdict.greylist);
  EXPECT_EQ(r.verdict.reason, "greylist:Outbreak in progress");
  ASSERT_FALSE(r.custom_text.empty());
  EXPECT_EQ(r.custom_text[0], 'Z');
  EXPECT_TRUE(files_in(cfg_.spool_dir + "/quarantine/policy/new").empty());
  EXPECT_TRUE(deliveries().empty());
}

TEST_F(PipelineActions, RejectModeQuarantinesAndRefusesPermanently) {
  cfg_.reject = true;
  auto r = run(with_attachment("eicar.com", kEicar));
  EXPECT_EQ(r.exit_code, exit_code::kPermanentReject);
  ASSERT_FALSE(r.custom_text.empty());
  EXPECT_EQ(r.custom_text[0], 'D');
  EXPECT_NE(r.custom_text.find("Eicar-Test-Signature"), std::string::npos) << r.custom_text;
  EXPECT_EQ(files_in(cfg_.spool_dir + "/quarantine/viruses/new").size(), 1u);
  EXPECT_TRUE(deliveries().empty()) << "reject mode does not send alerts";
}

TEST_F(PipelineActions, ArchiveKeepsPassedMailWithTheEnvelopeAppended) {
  cfg_.archive = "(support|sales)@";
  auto r = run(kClean, {"alice@example.org", {"sales@example.net", "x@example.net"}});
  EXPECT_EQ(r.exit_code, 0);
  auto files = files_in(cfg_.spool_dir + "/archive/new");
  ASSERT_EQ(files.size(), 1u);
  const std::string a = slurp(files[0]);
  EXPECT_NE(a.find(kClean), std::string::npos);
  EXPECT_TRUE(
      a.ends_with("MAIL FROM:<alice@example.org>\nRCPT TO:<sales@example.net>\n"
                  "RCPT TO:<x@example.net>\n"))
      << a;
  run(kClean, {"alice@example.org", {"bob@example.net"}});  // not matching: not archived
  EXPECT_EQ(files_in(cfg_.spool_dir + "/archive/new").size(), 1u);
}

TEST_F(PipelineActions, DlpMonitorLetsTheHitPassArchivedAndLogged) {
  cfg_.dlp_monitor = "^Eicar";
  auto r = run(with_attachment("eicar.com", kEicar));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.verdict.action, Action::kDeliver);
  EXPECT_NE(r.status.find("DLP:Eicar-Test-Signature:"), std::string::npos) << r.status;
  EXPECT_EQ(deliveries().size(), 1u);
  EXPECT_EQ(files_in(cfg_.spool_dir + "/archive/new").size(), 1u);
  EXPECT_NE(slurp(cfg_.spool_dir + "/mailstats.csv").find("DLP:Eicar"), std::string::npos);
}

TEST_F(PipelineActions, VirusBeatsPolicyAndPolicyBeatsDlp) {
  set_policy("eicar.com\t0\tNo eicar files\n");
  auto r = run(with_attachment("eicar.com", kEicar));
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kViruses);  // AV first
  cfg_.dlp_monitor = "Eicar";
  r = run(with_attachment("eicar.com", kEicar));
  EXPECT_EQ(r.verdict.reason, "policy:No eicar files");  // DLP last
}

TEST_F(PipelineActions, QuarantineFileReadsBackWithAMaildirReader) {
  cfg_.notify = {"none"};
  run(with_attachment("eicar.com", kEicar), {"alice@example.org", {"bob@example.net", "c@d.e"}});
  const std::string script =
      "import mailbox,sys\n"
      "box = mailbox.Maildir(sys.argv[1], factory=None, create=False)\n"
      "msgs = list(box)\n"
      "assert len(msgs) == 1, len(msgs)\n"
      "m = msgs[0]\n"
      "print(m['X-Qmail-Scanner-Mail-From'])\n"
      "print(' '.join(m.get_all('X-Qmail-Scanner-Rcpt-To')))\n"
      "print(m['Subject'])\n";
  std::ofstream(root_ + "/read.py") << script;
  const std::string cmd = "python3 " + root_ + "/read.py " + cfg_.spool_dir +
                          "/quarantine/viruses > " + root_ + "/read.out 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(root_ + "/read.out");
  const std::string out = slurp(root_ + "/read.out");
  EXPECT_NE(out.find("alice@example.org"), std::string::npos) << out;
  EXPECT_NE(out.find("bob@example.net"), std::string::npos) << out;
  EXPECT_NE(out.find("c@d.e"), std::string::npos) << out;
  EXPECT_NE(out.find("report"), std::string::npos) << out;
}

}  // namespace
}  // namespace qscan::supervisor
