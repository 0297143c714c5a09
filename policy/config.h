// qscan.toml: every key, its default, and the loader. Keys keep Qmail-Scanner's option
// names where one exists. The file is flat (no tables) like Qmail-Scanner's options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qscan::policy {

struct Config {
  // --- delivery and spool ---
  std::string qmail_queue = "/var/qmail/bin/qmail-queue";
  std::string spool_dir = "/var/spool/qscan";
  std::string hostname;  // "" = gethostname() at run time; used in headers and logs
  std::uint64_t max_message_bytes = 100ull << 20;  // over it: exit 31, like databytes

  // --- workers ---
  std::uint64_t worker_timeout_ms = 60000;
  std::uint64_t worker_memory_mb = 4096;             // RLIMIT_AS (the scan worker maps the engine)
  std::uint64_t worker_cpu_seconds = 120;            // RLIMIT_CPU
  std::string worker_failure_action = "quarantine";  // "quarantine" (policy/) | "defer" (71)
  // Network, IPC, mount, UTS, PID (and user) namespaces for every worker. About 1 ms per
  // worker on a small machine; seccomp and Landlock already forbid what they would contain.
  bool worker_namespaces = true;

  // --- decode limits (issue 3 enforces the archive ones) ---
  std::uint64_t max_depth = 20;
  std::uint64_t max_parts = 5000;
  std::uint64_t max_decoded_bytes = 512ull << 20;  // total; also sizes the decode arena
  std::uint64_t max_file_bytes = 100ull << 20;     // one leaf
  std::uint64_t max_compression_ratio = 200;
  std::uint64_t max_archive_entries = 10000;
  std::uint64_t max_header_bytes = 1ull << 20;
  std::string limit_action = "quarantine";           // "quarantine" | "defer" | "pass"
  std::vector<std::string> format_checks = {"all"};  // names, "all", or "-name" to disable
  bool block_password_protected = false;
  bool log_crypto = true;

  // --- scanners ---
  std::vector<std::string> scanners = {"clamav"};  // clamav | clamd | spamassassin
  std::vector<std::string> clamav_db_dirs;         // empty = shipped signatures + /var/lib/clamav
  std::vector<std::string> clamd_socket = {"/run/clamav/clamd.ctl"};   // or "tcp:host:port"
  std::vector<std::string> spamd_socket = {"/run/spamassassin.sock"};  // or "tcp:host:port"
  std::string spamd_user = "qscand";
  std::uint64_t scanner_timeout_ms = 30000;
  std::string spam_failure = "defer";         // "defer" | "pass"
  bool redundant = true;                      // also scan the raw message
  double sa_quarantine = 0;                   // 0 = off; quarantine spam/ at score >= this
  double sa_delete = 0;                       // 0 = off; drop spam at score >= this
  bool sa_relayclient = false;                // run SpamAssassin for RELAYCLIENT too
  std::uint64_t max_spam_bytes = 512 * 1024;  // larger messages skip spamd, as spamc does

  // --- policy and actions ---
  std::string policy_file;  // "" = /etc/qscan/quarantine-attachments.txt if present
  std::vector<std::string> notify = {"psender", "admin"};
  std::string admin_address = "postmaster";
  std::string lang = "en";
  std::vector<std::string> forging_viruses;  // empty = built-in list
  bool reject = false;
  std::string custom_error = "none";  // "none" | "fd6" | "fd4"
  std::string archive = "false";      // "false", "true", or a regex on envelope addresses
  std::string dlp_monitor;            // regex over hit names; "" = off
  bool add_headers = false;           // X-Qmail-Scanner-* headers

  // --- logs ---
  std::string log_details = "syslog";  // syslog | mailstats | both | none
  bool debug = false;
  std::string syslog_facility = "mail";

  // --- qscand ---
  std::string daemon_socket = "/run/qscan/qscand.sock";
  std::vector<std::int64_t> allowed_uids;  // empty = any uid in the socket's group
  std::uint64_t max_concurrent = 8;
  std::uint64_t max_wait_ms = 10000;
  bool standalone_fallback = true;
  std::string worker_user = "qscanw";
  std::string user = "qscand";

  // --- housekeeping ---
  std::uint64_t quarantine_days = 14;

  bool operator==(const Config&) const = default;
};

struct ConfigError {
  std::string file;
  std::uint64_t line = 0;  // 0 when the error is not tied to a line
  std::string message;
  std::string to_string() const;  // "file:line: message"
};

// Reads a TOML config. Every key is optional; unknown keys and values of the wrong type or
// out of range are errors naming the line. Returns nullopt and fills `error` on failure.
std::optional<Config> load_config_file(const std::string& path, ConfigError* error);
std::optional<Config> load_config_string(const std::string& text, const std::string& name,
                                         ConfigError* error);

// The file to read: `explicit_path` if given, else $QSCAN_CONFIG, else /etc/qscan/qscan.toml.
// A missing default file is not an error (embedded defaults); a missing named file is.
std::optional<Config> load_config(const std::string& explicit_path, ConfigError* error);
// The same with the default path given (tests; tools that report which file they read).
std::optional<Config> load_config(const std::string& explicit_path, ConfigError* error,
                                  const std::string& default_path);

// The built-in default path, /etc/qscan/qscan.toml.
inline constexpr const char* kDefaultConfigPath = "/etc/qscan/qscan.toml";

// Every key the loader accepts, in the order of the Config struct.
const std::vector<std::string>& config_keys();

}  // namespace qscan::policy
