// The pipeline with real clamd and spamd: the supervisor connects, a confined daemon-client
// worker talks, the verdict follows. Daemons down or killed defer the message (71).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"
#include "supervisor/engine_setup.h"
#include "supervisor/exit_codes.h"
#include "supervisor/pipeline.h"
#include "supervisor/spool.h"
#include "tests/scanners/clamd_fixture.h"
#include "tests/scanners/spamd_fixture.h"
#include "tests/scanners/test_messages.h"

namespace qscan::testing {
namespace {

using supervisor::Action;
using supervisor::QuarantineClass;

class DaemonPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    clamd_ = ClamdDaemon::start("", &error).release();
    clamd_error_ = error;
    spamd_ = SpamdDaemon::start(&error).release();
    spamd_error_ = error;
    policy::Config c;
    c.scanners = {"clamav"};
    c.clamav_db_dirs = {test_signature_dir()};
    ASSERT_TRUE(supervisor::prepare_scanning(c, engine(), &error)) << error;
  }
  static void TearDownTestSuite() {
    delete clamd_;
    delete spamd_;
  }
  static workers::ClamEngine& engine() {
    static workers::ClamEngine e;
    return e;
  }

  policy::Config config(std::vector<std::string> scanners) {
    policy::Config c;
    c.scanners = std::move(scanners);
    c.spool_dir = spool_.path();
    c.log_details = "none";
    c.scanner_timeout_ms = 5000;
    if (clamd_) c.clamd_socket = {clamd_->unix_address()};
    if (spamd_) c.spamd_socket = {spamd_->unix_address()};
    c.qmail_queue = std::string(QSCAN_BINARY_DIR) + "/tests/fake-qmail-queue";
    return c;
  }

  supervisor::PipelineResult run(const policy::Config& c, const std::string& message,
                                 bool dry_run = true) {
    supervisor::InputMessage m;
    std::string error;
    EXPECT_EQ(supervisor::message_from_bytes(message, m, &error), 0) << error;
    supervisor::PipelineInput in;
    in.config = &c;
    in.engine = &engine();
    in.message = &m;
    in.envelope = {"sender@example.org", {"rcpt@example.net"}};
    in.envelope_bytes = supervisor::encode_envelope(in.envelope);
    in.dry_run = dry_run;
    if (!dry_run) supervisor::prepare_spool(c.spool_dir, &error);
    supervisor::LogSink log(c);
    return supervisor::process_message(in, log);
  }

  void need_clamd() {
    if (!clamd_) FAIL() << clamd_error_;
  }
  void need_spamd() {
    if (!spamd_) FAIL() << spamd_error_;
  }

  TempDir spool_{"qscan-pipeline-daemons"};
  static ClamdDaemon* clamd_;
  static SpamdDaemon* spamd_;
  static std::string clamd_error_, spamd_error_;
};
ClamdDaemon* DaemonPipelineTest::clamd_ = nullptr;
SpamdDaemon* DaemonPipelineTest::spamd_ = nullptr;
std::string DaemonPipelineTest::clamd_error_, DaemonPipelineTest::spamd_error_;

TEST_F(DaemonPipelineTest, EicarViaClamdFildesIsAVirus) {
  need_clamd();
  auto r = run(config({"clamd"}), eicar_attachment_message());
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kViruses) << r.verdict.reason;
  EXPECT_EQ(r.verdict.reason, "virus:Eicar-Test-Signature");
  ASSERT_FALSE(r.scanners.empty());
  EXPECT_EQ(r.scanners.front().name, "clamd");
  EXPECT_TRUE(r.scanners.front().version.starts_with("1.")) << r.scanners.front().version;
}

TEST_F(DaemonPipelineTest, EicarViaClamdOverTcp) {
  need_clamd();
  policy::Config c = config({"clamd"});
  c.clamd_socket = {clamd_->tcp_address()};
  auto r = run(c, eicar_attachment_message());
  EXPECT_EQ(r.verdict.reason, "virus:Eicar-Test-Signature");
}

TEST_F(DaemonPipelineTest, CleanViaClamdIsDelivered) {
  need_clamd();
  auto r = run(config({"clamd"}), clean_message());
  EXPECT_EQ(r.verdict.action, Action::kDeliver) << r.verdict.reason << " " << r.verdict.description;
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(DaemonPipelineTest, ClamdDownDefersNeverPasses) {
  policy::Config c = config({"clamd"});
  c.clamd_socket = {spool_.path() + "/no-such.sock"};
  auto r = run(c, clean_message());
  EXPECT_EQ(r.verdict.action, Action::kDefer);
  EXPECT_EQ(r.verdict.reason, "scanner-unavailable");
  EXPECT_EQ(r.exit_code, supervisor::exit_code::kTemporaryReject);
}

TEST_F(DaemonPipelineTest, PoolFailsOverToTheNextClamd) {
  need_clamd();
  policy::Config c = config({"clamd"});
  c.clamd_socket = {spool_.path() + "/dead.sock", clamd_->unix_address()};
  for (int i = 0; i < 2; ++i) {  // whichever address the rotation starts with
    auto r = run(c, eicar_attachment_message());
    EXPECT_EQ(r.verdict.reason, "virus:Eicar-Test-Signature");
  }
}

TEST_F(DaemonPipelineTest, BothScannersRunAndAreReported) {
  need_clamd();
  auto r = run(config({"clamav", "clamd"}), eicar_attachment_message());
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kViruses);
  std::set<std::string> names;
  for (const auto& s : r.scanners) names.insert(s.name);
  EXPECT_TRUE(names.count("clamav") && names.count("clamd"));
  std::set<std::string> hit_by;
  for (const auto& h : r.hits) hit_by.insert(h.scanner);
  EXPECT_TRUE(hit_by.count("clamav") && hit_by.count("clamd"));
}

TEST_F(DaemonPipelineTest, GtubeIsTaggedAndDeliveredWithSpamHeaders) {
  need_spamd();
  TempDir out("qscan-deliveries");
  ::setenv("FAKE_QMAIL_QUEUE_DIR", out.path().c_str(), 1);
  auto r = run(config({"clamav", "spamassassin"}), gtube_message(), false);
  ::unsetenv("FAKE_QMAIL_QUEUE_DIR");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.verdict.action, Action::kDeliver);
  EXPECT_NE(r.status.find("SA:1("), std::string::npos) << r.status;
  std::string delivered;
  for (const auto& e : std::filesystem::directory_iterator(out.path())) {
    if (e.path().extension() != ".msg") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    delivered = ss.str();
  }
  EXPECT_NE(delivered.find("\nX-Spam-Flag: YES\n"), std::string::npos) << delivered.substr(0, 800);
  EXPECT_NE(delivered.find("X-Spam-Status: Yes"), std::string::npos);
  EXPECT_TRUE(delivered.ends_with(gtube_message()));
}

TEST_F(DaemonPipelineTest, SaQuarantineThresholdQuarantinesSpam) {
  need_spamd();
  policy::Config c = config({"spamassassin"});
  c.sa_quarantine = 100;  // GTUBE scores about 1000
  auto r = run(c, gtube_message());
  EXPECT_EQ(r.verdict.qclass, QuarantineClass::kSpam) << r.verdict.reason;
  c.sa_quarantine = 0;
  c.sa_delete = 500;
  r = run(c, gtube_message());
  EXPECT_EQ(r.verdict.action, Action::kDrop);
}

TEST_F(DaemonPipelineTest, HamIsNotSpam) {
  need_spamd();
  auto r = run(config({"spamassassin"}), clean_message());
  EXPECT_EQ(r.verdict.action, Action::kDeliver);
  EXPECT_NE(r.status.find("SA:0("), std::string::npos) << r.status;
}

TEST_F(DaemonPipelineTest, SpamdDownDefersOrPassesAsConfigured) {
  policy::Config c = config({"spamassassin"});
  c.spamd_socket = {spool_.path() + "/no-spamd.sock"};
  auto r = run(c, clean_message());
  EXPECT_EQ(r.verdict.action, Action::kDefer);
  EXPECT_EQ(r.exit_code, supervisor::exit_code::kTemporaryReject);
  c.spam_failure = "pass";
  r = run(c, clean_message());
  EXPECT_EQ(r.verdict.action, Action::kDeliver);
  EXPECT_NE(r.status.find("SA:0(?/?)"), std::string::npos) << r.status;
}

TEST_F(DaemonPipelineTest, RelayClientsSkipSpamAssassinUnlessForced) {
  policy::Config c = config({"spamassassin"});
  c.spamd_socket = {spool_.path() + "/no-spamd.sock"};  // would defer if it were asked
  supervisor::InputMessage m;
  std::string error;
  ASSERT_EQ(supervisor::message_from_bytes(gtube_message(), m, &error), 0);
  supervisor::PipelineInput in;
  in.config = &c;
  in.engine = &engine();
  in.message = &m;
  in.envelope = {"a@b", {"c@d"}};
  in.dry_run = true;
  in.client.relay_client = true;
  supervisor::LogSink log(c);
  EXPECT_EQ(supervisor::process_message(in, log).verdict.action, Action::kDeliver);
  in.client.force_spamassassin = true;  // QS_SPAMASSASSIN=on
  EXPECT_EQ(supervisor::process_message(in, log).verdict.action, Action::kDefer);
}

// Last: it kills the shared clamd.
TEST_F(DaemonPipelineTest, ZzClamdKilledDefers) {
  need_clamd();
  policy::Config c = config({"clamd"});
  const pid_t pid = clamd_->process().pid();
  ::kill(pid, SIGKILL);
  auto r = run(c, eicar_attachment_message(1 << 20));
  EXPECT_EQ(r.verdict.action, Action::kDefer) << r.verdict.reason;
  EXPECT_EQ(r.exit_code, supervisor::exit_code::kTemporaryReject);
}

}  // namespace
}  // namespace qscan::testing
