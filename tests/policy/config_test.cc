#include "policy/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace qscan::policy {
namespace {

namespace fs = std::filesystem;

// sizeof(Config) on x86_64 / libstdc++ with the 53 keys of config.h.
constexpr std::size_t kExpectedConfigSize = 976;

std::optional<Config> parse(const std::string& text, ConfigError* error) {
  return load_config_string(text, "test.toml", error);
}

// Parses text that must fail and returns the error.
ConfigError parse_error(const std::string& text) {
  ConfigError error;
  std::optional<Config> c = parse(text, &error);
  EXPECT_FALSE(c.has_value()) << "accepted: " << text;
  return error;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "qscan-policy-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, ec);
    fs::remove_all(path_, ec);
  }
  fs::path file(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    std::ofstream(p) << text;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Sets or unsets QSCAN_CONFIG for one test and restores it afterwards.
class EnvGuard {
 public:
  explicit EnvGuard(const char* value) {
    if (const char* old = ::getenv("QSCAN_CONFIG")) old_ = old;
    if (value != nullptr) {
      ::setenv("QSCAN_CONFIG", value, 1);
    } else {
      ::unsetenv("QSCAN_CONFIG");
    }
  }
  ~EnvGuard() {
    if (old_) {
      ::setenv("QSCAN_CONFIG", old_->c_str(), 1);
    } else {
      ::unsetenv("QSCAN_CONFIG");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(Config, DefaultsMatchTheDocumentedValues) {
  const Config c;
  EXPECT_EQ(c.qmail_queue, "/var/qmail/bin/qmail-queue");
  EXPECT_EQ(c.spool_dir, "/var/spool/qscan");
  EXPECT_EQ(c.max_message_bytes, 100ull << 20);
  EXPECT_EQ(c.worker_timeout_ms, 60000u);
  EXPECT_EQ(c.worker_memory_mb, 4096u);
  EXPECT_EQ(c.worker_failure_action, "quarantine");
  EXPECT_EQ(c.format_checks, std::vector<std::string>{"all"});
  EXPECT_EQ(c.scanners, std::vector<std::string>{"clamav"});
  EXPECT_EQ(c.notify, (std::vector<std::string>{"psender", "admin"}));
  EXPECT_EQ(c.custom_error, "none");
  EXPECT_EQ(c.log_details, "syslog");
  EXPECT_EQ(c.max_concurrent, 8u);
  EXPECT_EQ(c.quarantine_days, 14u);
}

TEST(Config, EmptyTextGivesDefaults) {
  ConfigError error;
  std::optional<Config> c = parse("", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
  c = parse("# only a comment\n\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
}

TEST(Config, EveryKeyParses) {
  const std::string text = R"(
qmail_queue = "/opt/qmail/bin/qmail-queue"
spool_dir = "/srv/qscan"
hostname = "mx1.example.org"
max_message_bytes = 1_000_000
worker_timeout_ms = 100
worker_memory_mb = 64
worker_cpu_seconds = 0
worker_failure_action = "defer"
worker_namespaces = false
max_depth = 3
max_parts = 4
max_decoded_bytes = 5
max_file_bytes = 6
max_compression_ratio = 7
max_archive_entries = 8
max_header_bytes = 9
limit_action = "pass"
format_checks = ["none", "nul_in_header", "-nul_in_header", "cr_in_header"]
block_password_protected = true
log_crypto = false
scanners = ["clamd", "spamassassin", "clamav"]
clamav_db_dirs = ["/a", "/b"]
clamd_socket = ["tcp:127.0.0.1:3310", "/run/clamd.sock"]
spamd_socket = "tcp:localhost:783"
spamd_user = "spam"
scanner_timeout_ms = 250
spam_failure = "pass"
redundant = false
sa_quarantine = 7.5
sa_delete = 12
sa_relayclient = true
max_spam_bytes = 0
policy_file = "/etc/qscan/quarantine-events.txt"
notify = "admin"
admin_address = "virus-admin@example.org"
lang = "de"
forging_viruses = ["Worm.A", "Worm.B"]
reject = true
custom_error = "fd6"
archive = "(support|sales)@example\\.org"
dlp_monitor = "^DLP\\."
add_headers = true
log_details = "both"
debug = true
syslog_facility = "local3"
daemon_socket = "/tmp/qscand.sock"
allowed_uids = [0, 1002, 4294967294]
max_concurrent = 1
max_wait_ms = 0
standalone_fallback = false
worker_user = "w"
user = "d"
quarantine_days = 0
)";
  ConfigError error;
  std::optional<Config> c = parse(text, &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(c->qmail_queue, "/opt/qmail/bin/qmail-queue");
  EXPECT_EQ(c->spool_dir, "/srv/qscan");
  EXPECT_EQ(c->hostname, "mx1.example.org");
  EXPECT_EQ(c->max_message_bytes, 1000000u);
  EXPECT_EQ(c->worker_timeout_ms, 100u);
  EXPECT_EQ(c->worker_memory_mb, 64u);
  EXPECT_EQ(c->worker_cpu_seconds, 0u);
  EXPECT_EQ(c->worker_failure_action, "defer");
  EXPECT_FALSE(c->worker_namespaces);
  EXPECT_EQ(c->max_depth, 3u);
  EXPECT_EQ(c->max_parts, 4u);
  EXPECT_EQ(c->max_decoded_bytes, 5u);
  EXPECT_EQ(c->max_file_bytes, 6u);
  EXPECT_EQ(c->max_compression_ratio, 7u);
  EXPECT_EQ(c->max_archive_entries, 8u);
  EXPECT_EQ(c->max_header_bytes, 9u);
  EXPECT_EQ(c->limit_action, "pass");
  EXPECT_EQ(c->format_checks,
            (std::vector<std::string>{"none", "nul_in_header", "-nul_in_header", "cr_in_header"}));
  EXPECT_TRUE(c->block_password_protected);
  EXPECT_FALSE(c->log_crypto);
  EXPECT_EQ(c->scanners, (std::vector<std::string>{"clamd", "spamassassin", "clamav"}));
  EXPECT_EQ(c->clamav_db_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(c->clamd_socket, (std::vector<std::string>{"tcp:127.0.0.1:3310", "/run/clamd.sock"}));
  EXPECT_EQ(c->spamd_socket, std::vector<std::string>{"tcp:localhost:783"});
  EXPECT_EQ(c->spamd_user, "spam");
  EXPECT_EQ(c->scanner_timeout_ms, 250u);
  EXPECT_EQ(c->spam_failure, "pass");
  EXPECT_FALSE(c->redundant);
  EXPECT_DOUBLE_EQ(c->sa_quarantine, 7.5);
  EXPECT_DOUBLE_EQ(c->sa_delete, 12.0);
  EXPECT_TRUE(c->sa_relayclient);
  EXPECT_EQ(c->max_spam_bytes, 0u);
  EXPECT_EQ(c->policy_file, "/etc/qscan/quarantine-events.txt");
  EXPECT_EQ(c->notify, std::vector<std::string>{"admin"});
  EXPECT_EQ(c->admin_address, "virus-admin@example.org");
  EXPECT_EQ(c->lang, "de");
  EXPECT_EQ(c->forging_viruses, (std::vector<std::string>{"Worm.A", "Worm.B"}));
  EXPECT_TRUE(c->reject);
  EXPECT_EQ(c->custom_error, "fd6");
  EXPECT_EQ(c->archive, "(support|sales)@example\\.org");
  EXPECT_EQ(c->dlp_monitor, "^DLP\\.");
  EXPECT_TRUE(c->add_headers);
  EXPECT_EQ(c->log_details, "both");
  EXPECT_TRUE(c->debug);
  EXPECT_EQ(c->syslog_facility, "local3");
  EXPECT_EQ(c->daemon_socket, "/tmp/qscand.sock");
  EXPECT_EQ(c->allowed_uids, (std::vector<std::int64_t>{0, 1002, 4294967294}));
  EXPECT_EQ(c->max_concurrent, 1u);
  EXPECT_EQ(c->max_wait_ms, 0u);
  EXPECT_FALSE(c->standalone_fallback);
  EXPECT_EQ(c->worker_user, "w");
  EXPECT_EQ(c->user, "d");
  EXPECT_EQ(c->quarantine_days, 0u);

  // The test text names every key the loader knows.
  for (const std::string& key : config_keys()) {
    EXPECT_NE(text.find("\n" + key + " = "), std::string::npos) << key;
  }
}

TEST(Config, SingleStringOrArrayForSocketsAndNotify) {
  ConfigError error;
  std::optional<Config> c =
      parse("clamd_socket = \"/x\"\nspamd_socket = [\"/y\", \"/z\"]\nnotify = []\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(c->clamd_socket, std::vector<std::string>{"/x"});
  EXPECT_EQ(c->spamd_socket, (std::vector<std::string>{"/y", "/z"}));
  EXPECT_TRUE(c->notify.empty());
}

TEST(Config, OtherListsNeedAnArray) {
  for (const char* key : {"format_checks", "scanners", "clamav_db_dirs", "forging_viruses"}) {
    ConfigError e = parse_error(std::string("\n") + key + " = \"clamav\"\n");
    EXPECT_EQ(e.line, 2u) << key;
    EXPECT_NE(e.message.find(key), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("expected array of strings, got string"), std::string::npos)
        << e.message;
  }
}

TEST(Config, ArchiveAcceptsBooleans) {
  ConfigError error;
  std::optional<Config> c = parse("archive = true\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(c->archive, "true");
  c = parse("archive = false\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(c->archive, "false");
  ConfigError e = parse_error("archive = 1\n");
  EXPECT_NE(e.message.find("expected string or boolean, got integer"), std::string::npos)
      << e.message;
}

TEST(Config, ScoresAcceptIntegersAndFloats) {
  ConfigError error;
  std::optional<Config> c = parse("sa_quarantine = 5\nsa_delete = 0.5\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_DOUBLE_EQ(c->sa_quarantine, 5.0);
  EXPECT_DOUBLE_EQ(c->sa_delete, 0.5);
  EXPECT_EQ(parse_error("sa_quarantine = -1\n").line, 1u);
  EXPECT_EQ(parse_error("\nsa_delete = -0.5\n").line, 2u);
  EXPECT_NE(parse_error("sa_delete = nan\n").message.find("finite"), std::string::npos);
  EXPECT_NE(parse_error("sa_delete = inf\n").message.find("finite"), std::string::npos);
  EXPECT_NE(parse_error("sa_delete = \"5\"\n").message.find("expected number, got string"),
            std::string::npos);
}

TEST(Config, UnknownKeyNamesKeyAndLine) {
  ConfigError e = parse_error("debug = true\n\n# comment\nworker_timout_ms = 100\n");
  EXPECT_EQ(e.file, "test.toml");
  EXPECT_EQ(e.line, 4u);
  EXPECT_NE(e.message.find("unknown key 'worker_timout_ms'"), std::string::npos) << e.message;
  EXPECT_EQ(e.to_string().rfind("test.toml:4: unknown key 'worker_timout_ms'", 0), 0u)
      << e.to_string();
}

TEST(Config, TablesAreUnknownKeys) {
  ConfigError e = parse_error("debug = true\n[scanner]\nname = \"x\"\n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_NE(e.message.find("unknown key 'scanner'"), std::string::npos) << e.message;
  e = parse_error("\nclamav.db = \"/x\"\n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_NE(e.message.find("unknown key 'clamav'"), std::string::npos) << e.message;
  // A table under a known name is a type error.
  e = parse_error("[scanners]\n");
  EXPECT_EQ(e.line, 1u);
  EXPECT_NE(e.message.find("expected array of strings, got table"), std::string::npos) << e.message;
}

TEST(Config, FirstErrorInFileOrder) {
  // Keys are stored sorted; the error reported must be the first in the file.
  ConfigError e = parse_error("zzz = 1\naaa = 2\n");
  EXPECT_EQ(e.line, 1u);
  EXPECT_NE(e.message.find("'zzz'"), std::string::npos) << e.message;
}

struct TypeCase {
  const char* text;
  const char* key;
  const char* expected;
};

TEST(Config, WrongTypeNamesKeyTypeAndLine) {
  const TypeCase cases[] = {
      {"max_depth = \"20\"", "max_depth", "expected integer, got string"},
      {"max_depth = 2.5", "max_depth", "expected integer, got float"},
      {"debug = 1", "debug", "expected boolean, got integer"},
      {"debug = \"true\"", "debug", "expected boolean, got string"},
      {"spool_dir = 5", "spool_dir", "expected string, got integer"},
      {"spool_dir = [\"/a\"]", "spool_dir", "expected string, got array"},
      {"hostname = 1979-05-27", "hostname", "expected string, got date"},
      {"clamd_socket = 5", "clamd_socket", "expected string or array of strings, got integer"},
      {"notify = [\"admin\", 3]", "notify", "expected string or array of strings, element 2"},
      {"clamav_db_dirs = [1]", "clamav_db_dirs", "expected array of strings, element 1"},
      {"allowed_uids = 5", "allowed_uids", "expected array of integers, got integer"},
      {"allowed_uids = [\"root\"]", "allowed_uids", "expected array of integers, element 1"},
      {"max_concurrent = true", "max_concurrent", "expected integer, got boolean"},
  };
  for (const TypeCase& tc : cases) {
    ConfigError e = parse_error(std::string("lang = \"en\"\n\n") + tc.text + "\n");
    EXPECT_EQ(e.line, 3u) << tc.text;
    EXPECT_NE(e.message.find(std::string("'") + tc.key + "'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(tc.expected), std::string::npos) << e.message;
  }
}

TEST(Config, ArrayElementErrorsPointAtTheElementLine) {
  ConfigError e = parse_error("scanners = [\n  \"clamav\",\n  \"sophos\",\n]\n");
  EXPECT_EQ(e.line, 3u);
  EXPECT_NE(e.message.find("\"sophos\""), std::string::npos) << e.message;
}

TEST(Config, EnumerationsAreChecked) {
  const std::pair<const char*, const char*> bad[] = {
      {"worker_failure_action", "pass"}, {"limit_action", "drop"}, {"spam_failure", "quarantine"},
      {"custom_error", "fd5"},           {"log_details", "file"},  {"log_details", "Syslog"},
  };
  for (const auto& [key, value] : bad) {
    ConfigError e = parse_error(std::string("\n") + key + " = \"" + value + "\"\n");
    EXPECT_EQ(e.line, 2u) << key;
    EXPECT_NE(e.message.find(std::string("'") + key + "'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(std::string("\"") + value + "\""), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("expected one of"), std::string::npos) << e.message;
  }
  const std::pair<const char*, const char*> good[] = {
      {"worker_failure_action", "quarantine"},
      {"worker_failure_action", "defer"},
      {"limit_action", "quarantine"},
      {"limit_action", "defer"},
      {"limit_action", "pass"},
      {"spam_failure", "defer"},
      {"spam_failure", "pass"},
      {"custom_error", "none"},
      {"custom_error", "fd6"},
      {"custom_error", "fd4"},
      {"log_details", "syslog"},
      {"log_details", "mailstats"},
      {"log_details", "both"},
      {"log_details", "none"},
  };
  for (const auto& [key, value] : good) {
    ConfigError error;
    EXPECT_TRUE(parse(std::string(key) + " = \"" + value + "\"\n", &error)) << error.to_string();
  }
}

TEST(Config, ScannersValidated) {
  EXPECT_NE(parse_error("scanners = [\"clamav\", \"sophos\"]\n").message.find("\"sophos\""),
            std::string::npos);
  EXPECT_NE(parse_error("scanners = [\"clamav\", \"clamav\"]\n").message.find("twice"),
            std::string::npos);
  ConfigError e = parse_error("\nscanners = []\n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_NE(e.message.find("at least one"), std::string::npos) << e.message;
}

TEST(Config, FormatChecksValidated) {
  ConfigError error;
  std::optional<Config> c =
      parse("format_checks = [\"all\", \"-header_comment\", \"none\", \"cr_in_header\"]\n", &error);
  ASSERT_TRUE(c) << error.to_string();
  for (const char* bad : {"header_comments", "-bogus", "--header_comment", "-all", "ALL", ""}) {
    ConfigError e = parse_error(std::string("\nformat_checks = [\"all\", \"") + bad + "\"]\n");
    EXPECT_EQ(e.line, 2u) << bad;
    EXPECT_NE(e.message.find("format_checks"), std::string::npos) << e.message;
  }
}

TEST(Config, NegativeAndTooSmallIntegers) {
  const std::pair<const char*, const char*> cases[] = {
      {"max_depth = -1", "must be >= 0"},
      {"quarantine_days = -14", "must be >= 0"},
      {"worker_memory_mb = 63", "must be >= 64"},
      {"worker_timeout_ms = 99", "must be >= 100"},
      {"scanner_timeout_ms = 0", "must be >= 100"},
      {"max_concurrent = 0", "must be >= 1"},
      {"allowed_uids = [1000, -1]", "not a valid uid"},
      {"allowed_uids = [4294967295]", "not a valid uid"},
  };
  for (const auto& [text, expected] : cases) {
    ConfigError e = parse_error(std::string("\n\n") + text + "\n");
    EXPECT_EQ(e.line, 3u) << text;
    EXPECT_NE(e.message.find(expected), std::string::npos) << e.message;
  }
}

TEST(Config, SyntaxErrorHasLine) {
  ConfigError e = parse_error("debug = true\nmax_depth = \n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.file, "test.toml");
  EXPECT_FALSE(e.message.empty());
  e = parse_error("debug = true\n\n\nspool_dir = \"/unterminated\n");
  EXPECT_EQ(e.line, 4u);
  e = parse_error("debug = true\ndebug = false\n");  // duplicate key
  EXPECT_EQ(e.line, 2u);
}

TEST(Config, ErrorToString) {
  EXPECT_EQ((ConfigError{"/etc/qscan/qscan.toml", 7, "bad"}).to_string(),
            "/etc/qscan/qscan.toml:7: bad");
  EXPECT_EQ((ConfigError{"/etc/qscan/qscan.toml", 0, "bad"}).to_string(),
            "/etc/qscan/qscan.toml: bad");
}

TEST(Config, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(load_config_string("nope = 1\n", "x", nullptr));
  EXPECT_FALSE(load_config_file("/nonexistent/qscan.toml", nullptr));
}

TEST(Config, LoadFileReadsAndNamesTheFile) {
  TempDir dir;
  fs::path good = dir.file("good.toml", "max_depth = 5\n");
  ConfigError error;
  std::optional<Config> c = load_config_file(good.string(), &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(c->max_depth, 5u);

  fs::path bad = dir.file("bad.toml", "\nmax_depth = -5\n");
  EXPECT_FALSE(load_config_file(bad.string(), &error));
  EXPECT_EQ(error.to_string().rfind(bad.string() + ":2: ", 0), 0u) << error.to_string();
}

TEST(Config, MissingOrUnreadableNamedFileIsAnError) {
  TempDir dir;
  ConfigError error;
  const std::string missing = (dir.path() / "missing.toml").string();
  EXPECT_FALSE(load_config_file(missing, &error));
  EXPECT_EQ(error.file, missing);
  EXPECT_EQ(error.line, 0u);
  EXPECT_NE(error.message.find("No such file"), std::string::npos) << error.message;

  EXPECT_FALSE(load_config_file(dir.path().string(), &error));  // a directory
  EXPECT_EQ(error.line, 0u);

  if (::geteuid() != 0) {  // root reads anything
    fs::path locked = dir.file("locked.toml", "debug = true\n");
    fs::permissions(locked, fs::perms::none);
    EXPECT_FALSE(load_config_file(locked.string(), &error));
    EXPECT_NE(error.message.find("Permission denied"), std::string::npos) << error.message;
  }
}

TEST(Config, LoadConfigPrecedence) {
  TempDir dir;
  const fs::path explicit_file = dir.file("explicit.toml", "max_depth = 1\n");
  const fs::path env_file = dir.file("env.toml", "max_depth = 2\n");
  const fs::path default_file = dir.file("default.toml", "max_depth = 3\n");
  ConfigError error;

  {
    EnvGuard env(env_file.c_str());
    std::optional<Config> c = load_config(explicit_file.string(), &error, default_file.string());
    ASSERT_TRUE(c) << error.to_string();
    EXPECT_EQ(c->max_depth, 1u);
    c = load_config("", &error, default_file.string());
    ASSERT_TRUE(c) << error.to_string();
    EXPECT_EQ(c->max_depth, 2u);
  }
  {
    EnvGuard env(nullptr);
    std::optional<Config> c = load_config("", &error, default_file.string());
    ASSERT_TRUE(c) << error.to_string();
    EXPECT_EQ(c->max_depth, 3u);
  }
  {
    EnvGuard env("");  // set but empty = unset
    std::optional<Config> c = load_config("", &error, default_file.string());
    ASSERT_TRUE(c) << error.to_string();
    EXPECT_EQ(c->max_depth, 3u);
  }
}

TEST(Config, MissingDefaultFileGivesDefaults) {
  TempDir dir;
  EnvGuard env(nullptr);
  ConfigError error;
  std::optional<Config> c = load_config("", &error, (dir.path() / "absent.toml").string());
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
  c = load_config("", &error, (dir.path() / "no-dir" / "absent.toml").string());
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
}

TEST(Config, BrokenDefaultFileIsAnError) {
  TempDir dir;
  EnvGuard env(nullptr);
  const fs::path broken = dir.file("qscan.toml", "max_depth = \"x\"\n");
  ConfigError error;
  EXPECT_FALSE(load_config("", &error, broken.string()));
  EXPECT_EQ(error.file, broken.string());
  EXPECT_EQ(error.line, 1u);
}

TEST(Config, MissingNamedFileIsAnErrorEvenWhenDefaultIsAbsent) {
  TempDir dir;
  const std::string absent_default = (dir.path() / "absent-default.toml").string();
  const std::string missing = (dir.path() / "missing.toml").string();
  ConfigError error;
  {
    EnvGuard env(nullptr);
    EXPECT_FALSE(load_config(missing, &error, absent_default));
    EXPECT_EQ(error.file, missing);
  }
  {
    EnvGuard env(missing.c_str());
    EXPECT_FALSE(load_config("", &error, absent_default));
    EXPECT_EQ(error.file, missing);
  }
}

std::string read_sample() {
  std::ifstream in(std::string(QSCAN_SOURCE_DIR) + "/config/qscan.toml");
  EXPECT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Config, SampleConfigParsesToDefaults) {
  ConfigError error;
  std::optional<Config> c =
      load_config_file(std::string(QSCAN_SOURCE_DIR) + "/config/qscan.toml", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
}

// Uncommenting every "# key = value" line of the sample must still give the defaults, and
// every key must be there exactly once: the sample documents the real defaults.
TEST(Config, SampleConfigDocumentsEveryKeyWithItsDefault) {
  const std::string sample = read_sample();
  const std::set<std::string> known(config_keys().begin(), config_keys().end());
  const std::regex setting(R"(^#? ?([a-z_]+) = )");
  std::istringstream in(sample);
  std::string line;
  std::string uncommented;
  std::multiset<std::string> seen;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, setting) && known.contains(m[1].str())) {
      seen.insert(m[1].str());
      if (line.starts_with("# ")) line = line.substr(2);
    }
    uncommented += line + "\n";
  }
  for (const std::string& key : config_keys()) {
    EXPECT_EQ(seen.count(key), 1u) << key;
  }
  ConfigError error;
  std::optional<Config> c = load_config_string(uncommented, "uncommented sample", &error);
  ASSERT_TRUE(c) << error.to_string();
  EXPECT_EQ(*c, Config{});
}

TEST(Config, KeysAreUnique) {
  const std::set<std::string> keys(config_keys().begin(), config_keys().end());
  EXPECT_EQ(keys.size(), config_keys().size());
  EXPECT_EQ(keys.size(), 53u);
}

// A tripwire for new fields: the loader's key table cannot see the struct, so a field added
// to Config without a key would silently be unconfigurable.
TEST(Config, EveryFieldHasAKey) {
  if (sizeof(void*) != 8) GTEST_SKIP() << "size recorded for 64-bit only";
  EXPECT_EQ(sizeof(Config), kExpectedConfigSize)
      << "Config changed: add the new field to fields() in policy/config.cc and to "
         "config/qscan.toml, then update kExpectedConfigSize and the key count above";
}

}  // namespace
}  // namespace qscan::policy

namespace qscan::policy {
namespace {

TEST(ConfigRegexKeys, BadRegexIsRefusedWithItsLine) {
  ConfigError err;
  EXPECT_FALSE(load_config_string("dlp_monitor = \"(unclosed\"\n", "t.toml", &err).has_value());
  EXPECT_EQ(err.line, 1u);
  EXPECT_NE(err.message.find("dlp_monitor"), std::string::npos) << err.message;
  EXPECT_FALSE(load_config_string("\narchive = \"[a-\"\n", "t.toml", &err).has_value());
  EXPECT_EQ(err.line, 2u);
  auto ok = load_config_string("archive = \"(support|sales)@example\\\\.com\"\n", "t.toml", &err);
  ASSERT_TRUE(ok.has_value()) << err.to_string();
  EXPECT_EQ(ok->archive, "(support|sales)@example\\.com");
}

}  // namespace
}  // namespace qscan::policy
