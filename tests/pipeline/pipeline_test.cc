// End-to-end tests of qmail-scanner-queue in standalone mode: the real binary, run as
// qmail-smtpd runs $QMAILQUEUE (message on fd 0, envelope on fd 1), with fake-qmail-queue
// standing in for the real qmail-queue and daemon_socket pointing nowhere so no qscand is
// used. Each test checks the exit code, what reached the fake, the quarantine Maildirs and
// the logs.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/qmail_queue_run.h"
#include "tests/support/test_spool.h"

namespace {

namespace fs = std::filesystem;
using qscan::testing::fake_qmail_queue_path;
using qscan::testing::make_envelope;
using qscan::testing::read_deliveries;
using qscan::testing::read_file;
using qscan::testing::run_qmail_queue_protocol;
using qscan::testing::RunResult;
using qscan::testing::TempDir;
using qscan::testing::TestSpool;

using EnvList = std::vector<std::pair<std::string, std::string>>;

const std::string kBinDir = std::string(QSCAN_BINARY_DIR) + "/bin";

std::string scanner_queue_path() { return kBinDir + "/qmail-scanner-queue"; }
std::string sample(const std::string& name) {
  return read_file(std::string(QSCAN_SOURCE_DIR) + "/samples/" + name);
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path().string());
  return out;
}

std::string read_or_empty(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return read_file(path);
}

// After a quarantine the only mail allowed to reach qmail-queue is a notification
// (supervisor/notifier.h: empty envelope sender, its own text): never the message itself.
void expect_not_delivered(const std::string& store, const std::string& original) {
  for (const auto& d : read_deliveries(store)) {
    EXPECT_TRUE(d.envelope.size() >= 2 && d.envelope[0] == 'F' && d.envelope[1] == '\0')
        << "a delivery with a non-empty sender (not a notification): " << d.envelope.substr(0, 80);
    EXPECT_FALSE(d.message.ends_with(original)) << "the original message was queued";
    EXPECT_FALSE(contains(d.message, original)) << "the original message was queued";
  }
}

// One sandbox per test: a temp dir holding the config, the spool and the fake's store.
class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override { write_config(""); }

  // The base config (tests/support/test_spool.h) plus `extra` TOML lines.
  void write_config(const std::string& extra, const std::string& qmail_queue = "") {
    paths_.write_config(extra, qmail_queue);
  }

  RunResult run(const std::string& message, const std::string& envelope, EnvList env = {},
                int timeout_ms = 30000) {
    EnvList all = {{"QSCAN_CONFIG", config_},
                   {"FAKE_QMAIL_QUEUE_DIR", store_},
                   {"QSCAN_LOG_STDERR", "1"},
                   {"QSCAN_TEST_FAULT", ""}};
    for (auto& kv : env) {
      bool replaced = false;
      for (auto& a : all)
        if (a.first == kv.first) a.second = kv.second, replaced = true;
      if (!replaced) all.push_back(std::move(kv));
    }
    return run_qmail_queue_protocol(scanner_queue_path(), {}, message, envelope, all, timeout_ms);
  }

  std::string default_envelope() const {
    return make_envelope("sender@example.org", {"rcpt@example.net"});
  }

  std::string qdir(const std::string& cls) const { return spool_ + "/quarantine/" + cls + "/new"; }
  std::vector<std::string> quarantined(const std::string& cls) const { return files_in(qdir(cls)); }
  std::size_t quarantined_total() const {
    return quarantined("viruses").size() + quarantined("policy").size() +
           quarantined("spam").size();
  }
  std::string mailstats() const { return read_or_empty(spool_ + "/mailstats.csv"); }
  std::string quarantine_log() const { return read_or_empty(spool_ + "/quarantine.log"); }

  // Nothing delivered, nothing quarantined: what every refusal must leave behind.
  void expect_untouched() const {
    EXPECT_TRUE(read_deliveries(store_).empty());
    EXPECT_EQ(quarantined_total(), 0u);
  }

  TempDir tmp_{"qscan-pipeline"};
  TestSpool paths_{tmp_.path()};
  std::string spool_ = paths_.spool, store_ = paths_.store, config_ = paths_.config;
};

// The header block a quarantine file starts with, and the rest (the original message).
std::pair<std::string, std::string> split_added_headers(const std::string& file,
                                                        const std::string& original) {
  if (file.size() < original.size()) return {file, {}};
  return {file.substr(0, file.size() - original.size()),
          file.substr(file.size() - original.size())};
}

// ---------------------------------------------------------------------------------------
// 1. A clean message is delivered unchanged but for one Received: header.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, CleanMessageDeliveredWithOneReceivedHeader) {
  const std::string msg = sample("clean.eml");
  const std::string env = make_envelope("alice@example.org", {"bob@example.net", "carol@ex.com"});
  RunResult r = run(msg, env);
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, env);
  ASSERT_GT(d[0].message.size(), msg.size());
  const std::string added = d[0].message.substr(0, d[0].message.size() - msg.size());
  EXPECT_EQ(d[0].message.substr(added.size()), msg) << "original bytes must follow unchanged";
  // Exactly one header: "Received: " first, every other line a continuation.
  ASSERT_TRUE(added.starts_with("Received: ")) << added;
  ASSERT_TRUE(added.ends_with("\n")) << added;
  std::size_t headers = 0;
  for (std::size_t pos = 0; pos < added.size();) {
    std::size_t nl = added.find('\n', pos);
    std::string line = added.substr(pos, nl - pos);
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') ++headers;
    EXPECT_FALSE(line.empty()) << "blank line inside the added header:\n" << added;
    pos = nl + 1;
  }
  EXPECT_EQ(headers, 1u) << added;
  EXPECT_TRUE(contains(added, "qscan")) << added;
  EXPECT_EQ(quarantined_total(), 0u);
  // One mailstats line per recipient, both "Clear".
  const std::string stats = mailstats();
  EXPECT_TRUE(contains(stats, "Clear")) << stats;
  EXPECT_TRUE(contains(stats, "bob@example.net")) << stats;
  EXPECT_TRUE(contains(stats, "carol@ex.com")) << stats;
  EXPECT_TRUE(quarantine_log().empty());
}

TEST_F(Pipeline, BounceWithEmptySenderIsDelivered) {
  const std::string msg = sample("clean.eml");
  const std::string env = make_envelope("", {"bob@example.net"});
  RunResult r = run(msg, env);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, env);
  EXPECT_TRUE(d[0].message.ends_with(msg));
}

TEST_F(Pipeline, ZeroRecipientsAcceptedLikeQmailQueue) {
  const std::string msg = sample("clean.eml");
  const std::string env = make_envelope("alice@example.org", {});
  RunResult r = run(msg, env);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, env);
}

// ---------------------------------------------------------------------------------------
// 2. Viruses are quarantined, not delivered, and logged.
// ---------------------------------------------------------------------------------------

void expect_virus_quarantined(Pipeline* t, const std::string& msg, const RunResult& r,
                              const std::vector<std::string>& qfiles, const std::string& qlog,
                              const std::string& stats, const std::string& store) {
  (void)t;
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store, msg);
  ASSERT_EQ(qfiles.size(), 1u);
  const std::string file = read_file(qfiles[0]);
  auto [headers, rest] = split_added_headers(file, msg);
  EXPECT_EQ(rest, msg) << "quarantined copy must end with the original bytes";
  EXPECT_TRUE(contains(headers, "X-Qmail-Scanner-Quarantine-Reason: virus:Eicar-Test-Signature"))
      << headers;
  EXPECT_TRUE(contains(headers, "X-Qmail-Scanner-Mail-From: sender@example.org")) << headers;
  EXPECT_TRUE(contains(headers, "X-Qmail-Scanner-Rcpt-To: rcpt@example.net")) << headers;
  EXPECT_TRUE(contains(qlog, "Eicar-Test-Signature")) << qlog;
  EXPECT_TRUE(contains(qlog, "sender@example.org")) << qlog;
  EXPECT_EQ(std::count(qlog.begin(), qlog.end(), '\n'), 1) << qlog;
  EXPECT_TRUE(contains(stats, "Eicar-Test-Signature")) << stats;
  EXPECT_TRUE(contains(stats, "rcpt@example.net")) << stats;
}

TEST_F(Pipeline, EicarQuarantinedInViruses) {
  const std::string msg = sample("eicar.eml");
  RunResult r = run(msg, default_envelope());
  expect_virus_quarantined(this, msg, r, quarantined("viruses"), quarantine_log(), mailstats(),
                           store_);
  EXPECT_TRUE(quarantined("policy").empty());
}

TEST_F(Pipeline, NestedEicarQuarantinedInViruses) {
  const std::string msg = sample("nested-eicar.eml");
  RunResult r = run(msg, default_envelope());
  expect_virus_quarantined(this, msg, r, quarantined("viruses"), quarantine_log(), mailstats(),
                           store_);
}

TEST_F(Pipeline, NestedEicarFoundInDecodedPartWithoutRedundantScan) {
  // With the raw-message scan off, only the decoder's output (zip inside message/rfc822)
  // can reveal the virus.
  write_config("redundant = false\n");
  const std::string msg = sample("nested-eicar.eml");
  RunResult r = run(msg, default_envelope());
  expect_virus_quarantined(this, msg, r, quarantined("viruses"), quarantine_log(), mailstats(),
                           store_);
}

TEST_F(Pipeline, NoDeliveryAtAllForVirusWithoutNotifications) {
  write_config("notify = []\n");
  RunResult r = run(sample("eicar.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(store_).empty());
  EXPECT_EQ(quarantined("viruses").size(), 1u);
}

TEST_F(Pipeline, RejectModeRefusesVirusPermanently) {
  write_config("reject = true\n");
  RunResult r = run(sample("eicar.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 31) << r.stderr_text;
  expect_not_delivered(store_, sample("eicar.eml"));
}

// The attachment policy (policy_file, Qmail-Scanner's quarantine-attachments.txt format):
// an .exe attachment goes to quarantine/policy/. The corpus README names the reason
// policy:attachment:.exe; the implementation uses the policy file's description text, so
// only the "policy:" prefix is checked.
TEST_F(Pipeline, ExeAttachmentBlockedByPolicyFile) {
  const std::string corpus = QSCAN_CORPUS_DIR;
  write_config("policy_file = \"" + corpus + "/fixtures/quarantine-attachments.txt\"\n");
  const std::string msg = read_file(corpus + "/public/msg/constructed/exe-attachment.eml");
  RunResult r = run(msg, default_envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u);
  const std::string file = read_file(q[0]);
  EXPECT_TRUE(contains(file, "X-Qmail-Scanner-Quarantine-Reason: policy:")) << file;
  EXPECT_TRUE(file.ends_with(msg));
}

// ---------------------------------------------------------------------------------------
// 3. Envelope errors (supervisor/envelope.cc): nothing is queued.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, EmptyEnvelopeIsReadError54) {
  RunResult r = run(sample("clean.eml"), "");
  EXPECT_EQ(r.exit_code, 54) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, EnvelopeNotStartingWithFIs91) {
  RunResult r = run(sample("clean.eml"), std::string("Tsender@example.org\0\0", 21));
  EXPECT_EQ(r.exit_code, 91) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, EnvelopeBadItemWhereRecipientDueIs91) {
  RunResult r = run(sample("clean.eml"), std::string("Fa@b\0Xc@d\0\0", 11));
  EXPECT_EQ(r.exit_code, 91) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, AddressOf1003BytesIs11) {
  const std::string longaddr = std::string(1003 - 12, 'a') + "@example.org";
  ASSERT_EQ(longaddr.size(), 1003u);
  RunResult r = run(sample("clean.eml"), make_envelope("s@example.org", {longaddr}));
  EXPECT_EQ(r.exit_code, 11) << r.stderr_text;
  expect_untouched();
  // Long sender too.
  RunResult r2 = run(sample("clean.eml"), make_envelope(longaddr, {"r@example.org"}));
  EXPECT_EQ(r2.exit_code, 11) << r2.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, AddressOf1002BytesIsAccepted) {
  const std::string addr = std::string(1002 - 12, 'a') + "@example.org";
  const std::string env = make_envelope("s@example.org", {addr});
  RunResult r = run(sample("clean.eml"), env);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, env);
}

TEST_F(Pipeline, EnvelopeWithoutFinalNulIs54) {
  std::string env = make_envelope("s@example.org", {"r@example.org"});
  env.pop_back();  // drop the list-ending NUL
  RunResult r = run(sample("clean.eml"), env);
  EXPECT_EQ(r.exit_code, 54) << r.stderr_text;
  expect_untouched();
  // Truncated inside an address.
  RunResult r2 = run(sample("clean.eml"), std::string("Fs@example.org\0Tr@exa", 21));
  EXPECT_EQ(r2.exit_code, 54) << r2.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, BytesAfterFinalNulAre91) {
  std::string env = make_envelope("s@example.org", {"r@example.org"}) + "Tx@y";
  RunResult r = run(sample("clean.eml"), env);
  EXPECT_EQ(r.exit_code, 91) << r.stderr_text;
  expect_untouched();
}

// ---------------------------------------------------------------------------------------
// 4. Failures of the real qmail-queue.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, QmailQueueExitCodesPropagated) {
  for (int code : {71, 31, 53}) {
    RunResult r = run(sample("clean.eml"), default_envelope(),
                      {{"FAKE_QMAIL_QUEUE_EXIT", std::to_string(code)}});
    EXPECT_EQ(r.exit_code, code) << r.stderr_text;
    EXPECT_TRUE(contains(r.stderr_text, "qmail-queue failed")) << r.stderr_text;
  }
  expect_untouched();
}

TEST_F(Pipeline, QmailQueueKilledBySignalIsTemporaryFailure) {
  for (int sig : {9, 15}) {
    RunResult r = run(sample("clean.eml"), default_envelope(),
                      {{"FAKE_QMAIL_QUEUE_SIGNAL", std::to_string(sig)}});
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, 81) << r.stderr_text;  // qmail_queue_exec.cc: kInternalBug
    EXPECT_TRUE(contains(r.stderr_text, "killed by signal " + std::to_string(sig)))
        << r.stderr_text;
  }
  expect_untouched();
}

TEST_F(Pipeline, MissingQmailQueueIsTemporaryFailure) {
  write_config("", tmp_.path() + "/no/such/qmail-queue");
  RunResult r = run(sample("clean.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 81) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "cannot run")) << r.stderr_text;
  expect_untouched();
}

// ---------------------------------------------------------------------------------------
// 5. Sandboxed workers doing forbidden things are killed; the message is not delivered.
// ---------------------------------------------------------------------------------------

struct KillCase {
  const char* fault;
  const char* reason;  // quarantine reason
};

class SandboxKill : public Pipeline, public ::testing::WithParamInterface<KillCase> {};

TEST_P(SandboxKill, QuarantinedInPolicyByDefault) {
  const KillCase& c = GetParam();
  const std::string msg = sample("clean.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", c.fault}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  EXPECT_TRUE(quarantined("viruses").empty());
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u) << r.stderr_text;
  const std::string file = read_file(q[0]);
  auto [headers, rest] = split_added_headers(file, msg);
  EXPECT_EQ(rest, msg);
  EXPECT_TRUE(contains(headers, std::string("X-Qmail-Scanner-Quarantine-Reason: ") + c.reason))
      << headers;
  EXPECT_TRUE(contains(headers, "seccomp")) << headers;
  // The event is logged with the cause; the message line carries the reason.
  EXPECT_TRUE(contains(r.stderr_text, "seccomp violation")) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "SIGSYS") || contains(r.stderr_text, "signal 31"))
      << r.stderr_text;
  EXPECT_TRUE(contains(mailstats(), c.reason)) << mailstats();
  EXPECT_TRUE(contains(quarantine_log(), c.reason)) << quarantine_log();
}

TEST_P(SandboxKill, DeferredWhenConfigured) {
  const KillCase& c = GetParam();
  write_config("worker_failure_action = \"defer\"\n");
  RunResult r = run(sample("clean.eml"), default_envelope(), {{"QSCAN_TEST_FAULT", c.fault}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  expect_untouched();
  EXPECT_TRUE(contains(r.stderr_text, "seccomp violation")) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, c.reason)) << r.stderr_text;
}

INSTANTIATE_TEST_SUITE_P(Faults, SandboxKill,
                         ::testing::Values(KillCase{"decode:open", "decoder-failure"},
                                           KillCase{"decode:socket", "decoder-failure"},
                                           KillCase{"decode:execve", "decoder-failure"},
                                           KillCase{"scan:execve", "scanner-failure"},
                                           KillCase{"scan:socket", "scanner-failure"}),
                         [](const auto& info) {
                           std::string n = info.param.fault;
                           for (char& ch : n)
                             if (ch == ':') ch = '_';
                           return n;
                         });

TEST_F(Pipeline, VirusStillFoundWhenDecoderIsKilled) {
  // The raw message is scanned even when the decoder died: a virus beats decoder-failure.
  const std::string msg = sample("eicar.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", "decode:open"}});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  EXPECT_EQ(quarantined("viruses").size(), 1u);
}

TEST_F(Pipeline, ScanWorkerOpenIsDeniedNotKilled) {
  // docs/hardening.md: the scan worker may call openat (libclamav temp files) because
  // Landlock confines it to its scratch dir; opening /etc/passwd fails with EACCES and the
  // worker goes on. The fault hook ignores the failure, so the scan completes normally.
  const std::string msg = sample("clean.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", "scan:open"}});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].message.ends_with(msg));
  EXPECT_EQ(quarantined_total(), 0u);
}

TEST_F(Pipeline, DecoderCrashQuarantined) {
  RunResult r =
      run(sample("clean.eml"), default_envelope(), {{"QSCAN_TEST_FAULT", "decode:crash"}});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, sample("clean.eml"));
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_TRUE(contains(read_file(q[0]), "decoder-failure"));
  EXPECT_TRUE(contains(r.stderr_text, "decode worker killed by signal")) << r.stderr_text;
}

// The "crash" fault is a real memory fault: the worker dies of SIGSEGV, not of seccomp
// (raise() would have needed signal syscalls the profile forbids).
TEST_F(Pipeline, DecoderCrashFaultDiesOfSigsegv) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan turns the SEGV into its own report and exit";
#endif
  RunResult r =
      run(sample("clean.eml"), default_envelope(), {{"QSCAN_TEST_FAULT", "decode:crash"}});
  EXPECT_TRUE(contains(r.stderr_text, "(SEGV)")) << r.stderr_text;
  EXPECT_FALSE(contains(r.stderr_text, "seccomp")) << r.stderr_text;
}

// ---------------------------------------------------------------------------------------
// 6. Hanging workers and malformed arenas.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, HangingDecoderTimesOut) {
  write_config("worker_timeout_ms = 500\n");
  const auto start = std::chrono::steady_clock::now();
  RunResult r =
      run(sample("clean.eml"), default_envelope(), {{"QSCAN_TEST_FAULT", "decode:hang"}}, 20000);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.timed_out);
  EXPECT_LT(secs, 5.0);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, sample("clean.eml"));
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u);
  const std::string file = read_file(q[0]);
  EXPECT_TRUE(contains(file, "decoder-failure")) << file;
  EXPECT_TRUE(contains(file, "timed out")) << file;
  EXPECT_TRUE(contains(r.stderr_text, "timed out after 500 ms")) << r.stderr_text;
}

TEST_F(Pipeline, HangingScannerTimesOutAndDefers) {
  write_config("worker_timeout_ms = 500\nworker_failure_action = \"defer\"\n");
  const auto start = std::chrono::steady_clock::now();
  RunResult r =
      run(sample("clean.eml"), default_envelope(), {{"QSCAN_TEST_FAULT", "scan:hang"}}, 20000);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.timed_out);
  EXPECT_LT(secs, 5.0);
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  expect_untouched();
  EXPECT_TRUE(contains(r.stderr_text, "scan worker timed out")) << r.stderr_text;
}

class MalformedArena : public Pipeline, public ::testing::WithParamInterface<const char*> {};

TEST_P(MalformedArena, QuarantinedAsWorkerFailure) {
  const std::string fault = GetParam();
  const bool decode = fault.starts_with("decode:");
  const std::string msg = sample("clean.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", fault}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u) << r.stderr_text;
  const std::string file = read_file(q[0]);
  EXPECT_TRUE(contains(file, decode ? "decoder-failure" : "scanner-failure")) << file;
  EXPECT_TRUE(contains(r.stderr_text, "malformed arena")) << r.stderr_text;
  EXPECT_TRUE(file.ends_with(msg));
}

INSTANTIATE_TEST_SUITE_P(Faults, MalformedArena,
                         ::testing::Values("decode:corrupt-arena", "decode:huge-count",
                                           "scan:corrupt-arena", "scan:huge-count"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == ':' || ch == '-') ch = '_';
                           return n;
                         });

class AfterReport : public Pipeline, public ::testing::WithParamInterface<const char*> {};

// The completion byte is not the end: the supervisor validates the arena only once the
// worker is gone (and the arena sealed), so it sees what the worker wrote last.
TEST_P(AfterReport, NotValidatedBeforeTheLastWrite) {
  const std::string kind = GetParam();
  const std::string msg = sample("clean.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", kind + ":write-after-report"}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  ASSERT_EQ(quarantined("policy").size(), 1u) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "malformed arena")) << r.stderr_text;
}

// A worker that reported completion and then crashed is still a worker failure.
TEST_P(AfterReport, CrashAfterReportingIsAWorkerFailure) {
  const std::string kind = GetParam();
  const std::string msg = sample("clean.eml");
  RunResult r = run(msg, default_envelope(), {{"QSCAN_TEST_FAULT", kind + ":crash-after-report"}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_not_delivered(store_, msg);
  auto q = quarantined("policy");
  ASSERT_EQ(q.size(), 1u) << r.stderr_text;
  EXPECT_TRUE(contains(read_file(q[0]), kind == "decode" ? "decoder-failure" : "scanner-failure"));
  // SIGSEGV; under ASan its handler's own syscalls end in SIGSYS first.
  EXPECT_TRUE(contains(r.stderr_text, kind + " worker killed by signal")) << r.stderr_text;
}

INSTANTIATE_TEST_SUITE_P(Faults, AfterReport, ::testing::Values("decode", "scan"));

// ---------------------------------------------------------------------------------------
// 7. Size limit.
// ---------------------------------------------------------------------------------------

std::string message_of_size(std::size_t n) {
  std::string m = "From: a@example.org\nTo: b@example.net\nSubject: big\nMessage-ID: <big@x>\n\n";
  while (m.size() < n) m += std::string(70, 'x') + "\n";
  m.resize(n - 1);
  m += "\n";
  return m;
}

TEST_F(Pipeline, OverMaxMessageBytesRefusedPermanently) {
  write_config("max_message_bytes = 1000\n");
  RunResult r = run(message_of_size(5000), default_envelope());
  EXPECT_FALSE(r.message_write_incomplete) << "the whole message must be drained";
  EXPECT_EQ(r.exit_code, 31) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "max_message_bytes")) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, AtMaxMessageBytesDelivered) {
  write_config("max_message_bytes = 1000\n");
  const std::string msg = message_of_size(1000);
  RunResult r = run(msg, default_envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(store_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].message.ends_with(msg));
}

TEST_F(Pipeline, OversizeMessageDrainedEvenWhenLarge) {
  // 4 MiB past a 1000-byte limit: the sender must not be blocked mid-DATA.
  write_config("max_message_bytes = 1000\n");
  RunResult r = run(message_of_size(4 << 20), default_envelope());
  EXPECT_FALSE(r.message_write_incomplete);
  EXPECT_EQ(r.exit_code, 31) << r.stderr_text;
  expect_untouched();
}

// ---------------------------------------------------------------------------------------
// 8. Configuration errors.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, UnknownConfigKeyIs55) {
  write_config("no_such_key = 1\n");
  RunResult r = run(sample("clean.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 55) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, "no_such_key")) << r.stderr_text;
  expect_untouched();
}

// A policy file with a bad line never half-loads: every message defers with 55 and the log
// names the line, until it is fixed.
TEST_F(Pipeline, BrokenPolicyFileIs55AndNamesTheLine) {
  const std::string policy = tmp_.path() + "/quarantine-attachments.txt";
  std::ofstream(policy) << ".exe\t0\tExecutables\n.scr 0 screensavers with spaces\n";
  write_config("policy_file = \"" + policy + "\"\n");
  RunResult r = run(sample("clean.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 55) << r.stderr_text;
  EXPECT_TRUE(contains(r.stderr_text, ":2:")) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, BadConfigValueIs55) {
  write_config("worker_timeout_ms = \"soon\"\n");
  RunResult r = run(sample("clean.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 55) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, UnreadableConfigFileIs55) {
  RunResult r = run(sample("clean.eml"), default_envelope(),
                    {{"QSCAN_CONFIG", tmp_.path() + "/missing.toml"}});
  EXPECT_EQ(r.exit_code, 55) << r.stderr_text;
  expect_untouched();
}

TEST_F(Pipeline, TomlSyntaxErrorIs55) {
  write_config("max_depth = = 3\n");
  RunResult r = run(sample("clean.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 55) << r.stderr_text;
  expect_untouched();
}

// ---------------------------------------------------------------------------------------
// Misc: the spool cannot be created → temporary failure, nothing delivered.
// ---------------------------------------------------------------------------------------

TEST_F(Pipeline, UnwritableSpoolIsTemporaryFailure) {
  // spool_dir below a regular file cannot be created.
  { std::ofstream(tmp_.path() + "/file") << "x"; }
  spool_ = paths_.spool = tmp_.path() + "/file/spool";
  write_config("");
  RunResult r = run(sample("eicar.eml"), default_envelope());
  EXPECT_EQ(r.exit_code, 53) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(store_).empty());
}

}  // namespace
