// qscand end to end: a real qscand in the foreground on a private socket, real
// qmail-scanner-queue thin clients, fake-qmail-queue as the real qmail-queue.
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/qmail_queue_run.h"
#include "tests/support/qscand_process.h"

namespace {

using namespace std::chrono_literals;
using qscan::testing::fake_qmail_queue_path;
using qscan::testing::make_envelope;
using qscan::testing::read_deliveries;
using qscan::testing::read_file;
using qscan::testing::RunResult;
using qscan::testing::TempDir;
using Env = std::vector<std::pair<std::string, std::string>>;
using Clock = std::chrono::steady_clock;

const std::string kBin = QSCAN_BINARY_DIR "/bin/";
const std::string kSource = QSCAN_SOURCE_DIR;

std::string sample(const std::string& name) { return read_file(kSource + "/samples/" + name); }

std::string envelope() { return make_envelope("sender@example.org", {"rcpt@example.com"}); }

// Pids whose parent is `ppid` (scans /proc: /proc/<pid>/task/<tid>/children is not
// available on every kernel).
std::vector<pid_t> children_of(pid_t ppid) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end) continue;
    std::ifstream f("/proc/" + std::string(e->d_name) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    auto rp = stat.rfind(')');
    if (rp == std::string::npos) continue;
    char state = 0;
    long parent = 0;
    if (std::sscanf(stat.c_str() + rp + 1, " %c %ld", &state, &parent) == 2 && parent == ppid &&
        state != 'Z')
      out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

std::vector<pid_t> descendants_of(pid_t pid) {
  std::vector<pid_t> out, todo{pid};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    for (pid_t c : children_of(p)) {
      out.push_back(c);
      todo.push_back(c);
    }
  }
  return out;
}

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  auto rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z';
}

// A field of /proc/<pid>/status ("Uid", "CapPrm", ...): its value, or "" if gone.
std::string status_field(pid_t pid, const std::string& name) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind(name + ":", 0) == 0) return line.substr(name.size() + 2);
  return {};
}

uid_t real_uid(pid_t pid) {
  return static_cast<uid_t>(std::strtoul(status_field(pid, "Uid").c_str(), nullptr, 10));
}

unsigned long long caps(pid_t pid, const std::string& set) {
  return std::strtoull(status_field(pid, set).c_str(), nullptr, 16);
}

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

bool socket_accepts(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class QscandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sock_ = dir_.path() + "/qscand.sock";
    spool_ = dir_.path() + "/spool";
    deliveries_ = dir_.path() + "/deliveries";
    config_ = dir_.path() + "/qscan.toml";
    // As root the workers run as an unprivileged uid and must traverse to their scratch
    // dir under the spool (as under /var/spool in production): mkdtemp's 0700 would stop them.
    ::chmod(dir_.path().c_str(), 0711);
    std::filesystem::create_directories(deliveries_);
    write_config("");
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      reap(5000ms);
    }
    if (pgid_ > 0) ::kill(-pgid_, SIGKILL);  // anything qscand left behind
  }

  // The base configuration plus `extra` TOML lines (later keys must not repeat earlier ones,
  // so the base only holds keys that no test overrides).
  std::string config_text(const std::string& extra) const {
    std::string t;
    t += "qmail_queue = \"" + fake_qmail_queue_path() + "\"\n";
    t += "spool_dir = \"" + spool_ + "\"\n";
    t += "daemon_socket = \"" + sock_ + "\"\n";
    t += "clamav_db_dirs = [\"" + kSource + "/config/signatures\"]\n";
    t += "log_details = \"mailstats\"\n";
    // Alerts (queued through the same fake) are covered by the pipeline tests.
    t += "notify = [\"none\"]\n";
    // As root, qscand switches to `user`: stay root so the temp dirs stay writable.
    if (::geteuid() == 0 && ("\n" + extra).find("\nuser = ") == std::string::npos)
      t += "user = \"root\"\n";
    t += extra;
    if (extra.find("standalone_fallback") == std::string::npos)
      t += "standalone_fallback = false\n";
    return t;
  }

  void write_config(const std::string& extra) {
    std::ofstream(config_, std::ios::trunc) << config_text(extra);
  }

  // Starts qscand --foreground; its stderr goes to <tmp>/qscand.err. Waits for the socket.
  void start_daemon(const Env& env = {}) {
    std::filesystem::remove(sock_);
    const std::string err = dir_.path() + "/qscand.err";
    pid_ = qscan::testing::start_qscand(kBin + "qscand", config_, err, deliveries_, env);
    ASSERT_GE(pid_, 0);
    pgid_ = pid_;
    ASSERT_TRUE(wait_until([&] { return socket_accepts(sock_) || !alive(pid_); }, 15000ms) &&
                alive(pid_))
        << "qscand did not come up: " << daemon_log();
  }

  // Waits up to `limit` for qscand to exit; returns its wait status or -1.
  int reap(std::chrono::milliseconds limit) {
    int status = -1;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return status;
      }
      if (r < 0) {
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  int stop_daemon() {
    ::kill(pid_, SIGTERM);
    return reap(30000ms);
  }

  std::string daemon_log() const {
    try {
      return read_file(dir_.path() + "/qscand.err");
    } catch (...) {
      return {};
    }
  }

  // qmail-scanner-queue as qmail-smtpd runs it, with our config.
  RunResult client(const std::string& message, const std::string& env_bytes, const Env& extra = {},
                   int timeout_ms = 30000) {
    Env e{{"QSCAN_CONFIG", config_}, {"FAKE_QMAIL_QUEUE_DIR", deliveries_}};
    e.insert(e.end(), extra.begin(), extra.end());
    return qscan::testing::run_qmail_queue_protocol(kBin + "qmail-scanner-queue", {}, message,
                                                    env_bytes, e, timeout_ms);
  }

  std::future<RunResult> client_async(const std::string& message, int timeout_ms = 30000) {
    return std::async(std::launch::async, [this, message, timeout_ms] {
      return client(message, envelope(), {}, timeout_ms);
    });
  }

  // Files in the spool's quarantine/<cls>/new.
  std::size_t quarantined(const std::string& cls) const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(spool_ + "/quarantine/" + cls + "/new", ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
    return n;
  }

  // Waits until qscand has a message supervisor child that itself has a child (a worker or
  // qmail-queue): the message is in flight.
  bool wait_in_flight(std::chrono::milliseconds limit = 10000ms) {
    return wait_until(
        [&] {
          for (pid_t c : children_of(pid_))
            if (!children_of(c).empty()) return true;
          return false;
        },
        limit);
  }

  TempDir dir_{"qscand-test"};
  std::string sock_, spool_, deliveries_, config_;
  pid_t pid_ = -1;
  pid_t pgid_ = -1;
};

TEST_F(QscandTest, CleanMessageDeliveredByteExactThroughDaemon) {
  start_daemon();
  const std::string msg = sample("clean.eml");
  RunResult r = client(msg, envelope());
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text << daemon_log();
  auto d = read_deliveries(deliveries_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].envelope, envelope());
  ASSERT_GT(d[0].message.size(), msg.size());
  const std::string added = d[0].message.substr(0, d[0].message.size() - msg.size());
  EXPECT_EQ(d[0].message.substr(added.size()), msg);
  EXPECT_EQ(added.rfind("Received: ", 0), 0u) << added;
  EXPECT_NE(added.find("qscan"), std::string::npos) << added;
  EXPECT_EQ(added.back(), '\n');
  // Handled by qscand, not standalone: the message went through the daemon's log.
  EXPECT_TRUE(std::filesystem::exists(spool_ + "/mailstats.csv"));
  EXPECT_EQ(stop_daemon(), 0) << daemon_log();
}

TEST_F(QscandTest, ThinClientIsReallyThin) {
  // The thin client must not scan itself: with max_message_bytes = 100 in the client's view
  // only (qscand loaded the config before the change), the message is still accepted.
  start_daemon();
  write_config("max_message_bytes = 100\n");  // the client's view only; qscand keeps its own
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
}

TEST_F(QscandTest, EicarQuarantined) {
  start_daemon();
  RunResult r = client(sample("eicar.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text << daemon_log();
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
  EXPECT_EQ(quarantined("viruses"), 1u);
  std::string qlog = read_file(spool_ + "/quarantine.log");
  EXPECT_NE(qlog.find("sender@example.org"), std::string::npos) << qlog;
}

TEST_F(QscandTest, ExitCodesComeBackFromDaemon) {
  start_daemon();
  // A malformed envelope (no F line) → 91.
  RunResult bad = client(sample("clean.eml"), std::string("Xjunk\0\0", 7));
  EXPECT_EQ(bad.exit_code, 91) << bad.stderr_text;
  // A truncated envelope (fd 1 closed at once) → qmail-queue's read error or format error.
  RunResult truncated = client(sample("clean.eml"), "");
  EXPECT_NE(truncated.exit_code, 0);
  EXPECT_TRUE(truncated.exit_code == 54 || truncated.exit_code == 91) << truncated.exit_code;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
  EXPECT_EQ(stop_daemon(), 0);
}

TEST_F(QscandTest, PermanentRejectOverMaxMessageBytes) {
  write_config("max_message_bytes = 100\n");
  start_daemon();
  write_config("");  // the client's config does not matter: qscand's does
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 31) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, QmailQueueFailurePassedBack) {
  start_daemon({{"FAKE_QMAIL_QUEUE_EXIT", "53"}});
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.exit_code == 53 || r.exit_code == 71 || r.exit_code == 81) << r.exit_code;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, DaemonKilledMidMessageClientDefersNothingDelivered) {
  write_config("worker_timeout_ms = 60000\n");
  start_daemon({{"QSCAN_TEST_FAULT", "decode:hang"}});
  auto fut = client_async(sample("clean.eml"));
  ASSERT_TRUE(wait_in_flight()) << daemon_log();
  const std::vector<pid_t> below = descendants_of(pid_);
  ::kill(pid_, SIGKILL);
  reap(5000ms);
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready) << "client still waiting";
  RunResult r = fut.get();
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
  // Nothing partial either: no file at all in the fake's directory.
  EXPECT_TRUE(std::filesystem::is_empty(deliveries_));
  EXPECT_FALSE(below.empty());
}

// The per-message supervisor (PR_SET_PDEATHSIG) and its hung worker must not outlive qscand.
TEST_F(QscandTest, DaemonKilledLeavesNoWorkerBehind) {
  write_config("worker_timeout_ms = 60000\n");
  start_daemon({{"QSCAN_TEST_FAULT", "decode:hang"}});
  auto fut = client_async(sample("clean.eml"));
  ASSERT_TRUE(wait_in_flight()) << daemon_log();
  const std::vector<pid_t> below = descendants_of(pid_);
  ASSERT_FALSE(below.empty());
  ::kill(pid_, SIGKILL);
  reap(5000ms);
  fut.wait_for(10s);
  for (pid_t p : below)
    EXPECT_TRUE(wait_until([&] { return !alive(p); }, 3000ms))
        << "pid " << p << " (descendant of the killed qscand) still running";
}

// qscand forks the next message supervisor before the message arrives; that spare serves
// it, and another takes its place.
TEST_F(QscandTest, SpareSupervisorForkedAheadServesTheNextMessage) {
  start_daemon();
  std::vector<pid_t> before;
  ASSERT_TRUE(wait_until([&] { return (before = children_of(pid_)).size() == 1; }, 5000ms));
  const pid_t spare = before.front();
  EXPECT_TRUE(children_of(spare).empty()) << "an idle spare has no workers";
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text << daemon_log();
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
  EXPECT_TRUE(wait_until([&] { return !alive(spare); }, 5000ms)) << "the spare did not serve it";
  std::vector<pid_t> after;
  EXPECT_TRUE(wait_until([&] { return (after = children_of(pid_)).size() == 1; }, 5000ms));
  EXPECT_NE(after.front(), spare);
  EXPECT_EQ(daemon_log().find("ended unused"), std::string::npos) << daemon_log();
}

TEST_F(QscandTest, NoDaemonNoFallbackDefers) {
  write_config("standalone_fallback = false\n");
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, StaleSocketNoFallbackDefers) {
  // A socket file left behind by a dead qscand: connect gets ECONNREFUSED.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock_.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, NoDaemonWithFallbackRunsStandalone) {
  write_config("standalone_fallback = true\n");
  const std::string msg = sample("clean.eml");
  RunResult r = client(msg, envelope());
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  auto d = read_deliveries(deliveries_);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].message.ends_with(msg));
  EXPECT_EQ(d[0].message.rfind("Received: ", 0), 0u);
  // And EICAR is still caught standalone.
  RunResult v = client(sample("eicar.eml"), envelope());
  EXPECT_EQ(v.exit_code, 0) << v.stderr_text;
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
  EXPECT_EQ(quarantined("viruses"), 1u);
}

TEST_F(QscandTest, SighupWithBrokenConfigKeepsOldAndServes) {
  start_daemon();
  // Would refuse the clean message (31) if any part of it were applied.
  std::ofstream(config_, std::ios::trunc)
      << config_text("max_message_bytes = 100\n") << "this is = = not toml [\n";
  ::kill(pid_, SIGHUP);
  ASSERT_TRUE(
      wait_until([&] { return daemon_log().find("reload failed") != std::string::npos; }, 10000ms))
      << daemon_log();
  ASSERT_TRUE(alive(pid_));
  write_config("");  // the client must be able to read its own config
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text << daemon_log();
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
  RunResult v = client(sample("eicar.eml"), envelope());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(quarantined("viruses"), 1u);
  EXPECT_EQ(stop_daemon(), 0);
}

TEST_F(QscandTest, SighupWithBadSignatureDirKeepsOldEngine) {
  start_daemon();
  const std::string empty = dir_.path() + "/no-signatures";
  std::filesystem::create_directories(empty);
  std::string text = config_text("");
  const std::string good = "clamav_db_dirs = [\"" + kSource + "/config/signatures\"]";
  text.replace(text.find(good), good.size(), "clamav_db_dirs = [\"" + empty + "\"]");
  std::ofstream(config_, std::ios::trunc) << text;
  ::kill(pid_, SIGHUP);
  ASSERT_TRUE(
      wait_until([&] { return daemon_log().find("reload failed") != std::string::npos; }, 10000ms))
      << daemon_log();
  RunResult v = client(sample("eicar.eml"), envelope());
  EXPECT_EQ(v.exit_code, 0) << v.stderr_text;
  EXPECT_EQ(quarantined("viruses"), 1u);
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, SighupWithGoodConfigApplies) {
  start_daemon();
  write_config("max_message_bytes = 100\n");
  ::kill(pid_, SIGHUP);
  ASSERT_TRUE(
      wait_until([&] { return daemon_log().find("reloaded") != std::string::npos; }, 10000ms))
      << daemon_log();
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 31) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
}

TEST_F(QscandTest, SigtermFinishesInFlightMessage) {
  start_daemon({{"FAKE_QMAIL_QUEUE_SLEEP_MS", "1500"}});
  auto fut = client_async(sample("clean.eml"));
  ASSERT_TRUE(wait_in_flight()) << daemon_log();
  ::kill(pid_, SIGTERM);
  // New clients are turned away while it drains (no fallback: 71).
  ASSERT_TRUE(wait_until([&] { return !socket_accepts(sock_); }, 5000ms)) << daemon_log();
  RunResult late = client(sample("clean.eml"), envelope());
  EXPECT_EQ(late.exit_code, 71) << late.stderr_text << daemon_log();
  RunResult r = fut.get();
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text << daemon_log();
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u) << daemon_log();
  int status = reap(10000ms);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << daemon_log();
  EXPECT_FALSE(std::filesystem::exists(sock_));
}

TEST_F(QscandTest, MaxConcurrentOverflowDefersAfterMaxWait) {
  write_config("max_concurrent = 1\nmax_wait_ms = 200\n");
  start_daemon({{"FAKE_QMAIL_QUEUE_SLEEP_MS", "3000"}});
  auto first = client_async(sample("clean.eml"));
  ASSERT_TRUE(wait_in_flight()) << daemon_log();
  const auto t0 = Clock::now();
  RunResult second = client(sample("clean.eml"), envelope());
  const auto waited = Clock::now() - t0;
  EXPECT_EQ(second.exit_code, 71) << second.stderr_text;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2500ms);
  RunResult r = first.get();
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
}

TEST_F(QscandTest, MaxConcurrentQueuesWithinMaxWait) {
  write_config("max_concurrent = 1\nmax_wait_ms = 10000\n");
  start_daemon({{"FAKE_QMAIL_QUEUE_SLEEP_MS", "500"}});
  auto first = client_async(sample("clean.eml"));
  ASSERT_TRUE(wait_in_flight()) << daemon_log();
  RunResult second = client(sample("clean.eml"), envelope());
  EXPECT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(first.get().exit_code, 0);
  EXPECT_EQ(read_deliveries(deliveries_).size(), 2u);
}

TEST_F(QscandTest, DisallowedUidRefused) {
  // standalone_fallback stays on: a refused client must defer, not scan on its own.
  write_config("allowed_uids = [" + std::to_string(::getuid() + 4242) +
               "]\nstandalone_fallback = true\n");
  start_daemon();
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 71) << r.stderr_text;
  EXPECT_TRUE(read_deliveries(deliveries_).empty());
  EXPECT_NE(daemon_log().find("refused connection from uid " + std::to_string(::getuid())),
            std::string::npos)
      << daemon_log();
}

TEST_F(QscandTest, AllowedUidAccepted) {
  write_config("allowed_uids = [" + std::to_string(::getuid()) + "]\n");
  start_daemon();
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
}

TEST_F(QscandTest, ConcurrentClientsAllDelivered) {
  start_daemon();
  std::vector<std::future<RunResult>> futs;
  futs.reserve(8);
  for (int i = 0; i < 8; ++i)
    futs.push_back(client_async(sample(i % 2 ? "clean.eml" : "gtube.eml")));
  for (auto& f : futs) EXPECT_EQ(f.get().exit_code, 0);
  EXPECT_EQ(read_deliveries(deliveries_).size(), 8u);
}

// qscand started as root, the production way: the daemon becomes `user`, keeping only what
// switching workers to `worker_user` takes; workers run under that separate uid.
class QscandAsRootTest : public QscandTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (qscand is started as root)";
    const passwd* n = ::getpwnam("nobody");
    if (!n) GTEST_SKIP() << "needs the account nobody";
    nobody_uid_ = n->pw_uid;
    const passwd* d = ::getpwnam("daemon");  // the same static buffer: read it last
    if (!d) GTEST_SKIP() << "needs the account daemon";
    daemon_uid_ = d->pw_uid;
    QscandTest::SetUp();
    write_config("user = \"daemon\"\nworker_user = \"nobody\"\n");
    // The daemon's uid owns its spool and the fake's delivery directory.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path()))
      ASSERT_EQ(::lchown(e.path().c_str(), d->pw_uid, d->pw_gid), 0);
    ASSERT_EQ(::chown(dir_.path().c_str(), d->pw_uid, d->pw_gid), 0);
  }
  uid_t daemon_uid_ = 0, nobody_uid_ = 0;
};

constexpr unsigned long long kSwitchCaps =
    (1ull << 0) | (1ull << 6) | (1ull << 7);  // CHOWN SETGID SETUID

TEST_F(QscandAsRootTest, WorkersRunAsWorkerUserDaemonKeepsOnlySwitchCapabilities) {
  write_config("user = \"daemon\"\nworker_user = \"nobody\"\nworker_timeout_ms = 60000\n");
  start_daemon({{"QSCAN_TEST_FAULT", "scan:hang"}});
  auto fut = client_async(sample("clean.eml"));
  pid_t child = -1, worker = -1;
  ASSERT_TRUE(wait_until(
      [&] {
        for (pid_t c : children_of(pid_))
          for (pid_t w : children_of(c))
            if (real_uid(w) == nobody_uid_) {
              child = c;
              worker = w;
              return true;
            }
        return false;
      },
      10000ms))
      << daemon_log();
  EXPECT_EQ(real_uid(pid_), daemon_uid_);
  EXPECT_EQ(caps(pid_, "CapPrm"), kSwitchCaps);
  EXPECT_EQ(caps(pid_, "CapEff"), 0u);
  EXPECT_EQ(real_uid(child), daemon_uid_);
  EXPECT_EQ(caps(child, "CapEff"), 0u) << "the chown capability must be lowered again";
  EXPECT_EQ(caps(worker, "CapPrm"), 0u);
  EXPECT_EQ(caps(worker, "CapEff"), 0u);
  EXPECT_EQ(caps(worker, "CapBnd"), 0u);
  ::kill(pid_, SIGKILL);
  reap(5000ms);
  fut.wait_for(10s);
}

TEST_F(QscandAsRootTest, VirusFoundByWorkerUidAndScratchDirRemoved) {
  start_daemon();
  RunResult v = client(sample("eicar.eml"), envelope());
  EXPECT_EQ(v.exit_code, 0) << v.stderr_text << daemon_log();
  EXPECT_EQ(quarantined("viruses"), 1u) << daemon_log();
  RunResult c = client(sample("clean.eml"), envelope());
  EXPECT_EQ(c.exit_code, 0) << c.stderr_text << daemon_log();
  EXPECT_EQ(read_deliveries(deliveries_).size(), 1u);
  // Every per-message scratch dir (owned by the worker uid while it ran) is gone.
  EXPECT_TRUE(std::filesystem::is_empty(spool_ + "/work")) << daemon_log();
  struct stat st {};
  ASSERT_EQ(::stat((spool_ + "/quarantine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, daemon_uid_);
}

// A scan worker killed with temp files in its scratch dir: qscand takes the tree back from
// the worker uid and removes it.
TEST_F(QscandAsRootTest, KilledWorkersTempFilesRemoved) {
  start_daemon({{"QSCAN_TEST_FAULT", "scan:litter"}});
  RunResult r = client(sample("clean.eml"), envelope());
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(quarantined("policy"), 1u) << "a crashed scan worker is a scanner failure";
  // SIGSEGV; under ASan its handler's own syscalls end in SIGSYS first.
  EXPECT_NE(daemon_log().find("scan worker killed by signal"), std::string::npos) << daemon_log();
  EXPECT_TRUE(std::filesystem::is_empty(spool_ + "/work")) << daemon_log();
}

}  // namespace
