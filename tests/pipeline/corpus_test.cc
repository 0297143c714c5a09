// The shared corpus through the full pipeline: `qscan check FILE --json` (dry run: decode
// worker, scan worker, verdict; nothing delivered) for every row of MANIFEST.tsv, comparing
// the verdict class (clean / virus / policy) with the `expected` column.
//
// Expected values: `clean`, `clean+rewrite[:check]` (delivered after a header rewrite),
// `virus:<name>`, `policy:<rule>`, `malformed:<check>` (a format check: quarantined to
// policy/), `spam:<rule>`, and alternatives joined by `|` (either is right). `spam:` needs
// spamd, which this test does not configure (scanners = ["clamav"]), so a spam row is
// expected to come out clean here.
//
// Files under raw/ are attachment-level (TNEF streams, archives), not messages: each is
// sent as a base64 attachment of a small multipart message, named as the file.
//
// Configuration as the corpus README assumes: ClamAV database = corpus fixtures/ only,
// policy file = fixtures/quarantine-attachments.txt, all format checks on, no spamd.
//
// Rows listed in tests/data/pipeline/corpus-known-mismatches.tsv (file<TAB>actual
// class<TAB>why) are reported but do not fail the test; any other mismatch does.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/qmail_queue_run.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using qscan::testing::read_file;
using qscan::testing::TempDir;

struct Row {
  std::string file;      // relative to the manifest's directory
  std::string expected;  // the `expected` column
};

std::string find_manifest() {
  const fs::path root = QSCAN_CORPUS_DIR;
  std::error_code ec;
  if (fs::exists(root / "public/MANIFEST.tsv", ec)) return (root / "public/MANIFEST.tsv").string();
  if (fs::exists(root / "MANIFEST.tsv", ec)) return (root / "MANIFEST.tsv").string();
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "MANIFEST.tsv") return it->path().string();
  }
  return {};
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

std::vector<Row> read_manifest(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<Row> rows;
  int file_col = -1, expected_col = -1;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto cols = split(line, '\t');
    if (file_col < 0) {
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i] == "file") file_col = static_cast<int>(i);
        if (cols[i] == "expected") expected_col = static_cast<int>(i);
      }
      continue;
    }
    if (static_cast<int>(cols.size()) <= std::max(file_col, expected_col)) continue;
    rows.push_back({cols[file_col], cols[expected_col]});
  }
  return rows;
}

// clean / virus / policy / spam for one expected alternative.
std::string expected_class(const std::string& alt) {
  const std::string head = alt.substr(0, alt.find(':'));
  if (head == "clean" || head.starts_with("clean+")) return "clean";
  if (head == "virus") return "virus";
  if (head == "policy" || head == "malformed") return "policy";
  if (head == "spam") return "clean";  // no spamd configured: see the file comment
  return "unknown:" + alt;
}

// The class of a `qscan check --json` verdict string.
std::string actual_class(const std::string& verdict) {
  if (verdict == "clean") return "clean";
  if (verdict.starts_with("virus:")) return "virus";
  if (verdict.starts_with("policy:") || verdict.starts_with("malformed:")) return "policy";
  if (verdict == "decoder-failure" || verdict == "scanner-failure") return "failure";
  return "unknown:" + verdict;
}

// The string value of "key":"..." in one-line JSON (no unescaping beyond \" and \\).
std::string json_field(const std::string& json, const std::string& key) {
  const std::string pat = "\"" + key + "\":\"";
  std::size_t p = json.find(pat);
  if (p == std::string::npos) return {};
  std::string out;
  for (p += pat.size(); p < json.size() && json[p] != '"'; ++p) {
    if (json[p] == '\\' && p + 1 < json.size()) ++p;
    out.push_back(json[p]);
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t col = 0;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out.push_back(t[(v >> 18) & 63]);
    out.push_back(t[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? t[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? t[v & 63] : '=');
    if ((col += 4) >= 76) {
      out.push_back('\n');
      col = 0;
    }
  }
  if (col) out.push_back('\n');
  return out;
}

// A raw corpus file as the one attachment of a message.
std::string wrap_raw(const std::string& path, std::size_t n) {
  const std::string name = fs::path(path).filename().string();
  const std::string ext = fs::path(path).extension().string();
  const std::string type = ext == ".tnef"  ? "application/ms-tnef"
                           : ext == ".zip" ? "application/zip"
                                           : "application/octet-stream";
  return "From: corpus@example.org\nTo: rcpt@example.net\nSubject: raw corpus file " + name +
         "\nMessage-ID: <raw-" + std::to_string(n) +
         "@qscan.test>\nMIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"qscan-raw-boundary\"\n\n"
         "--qscan-raw-boundary\nContent-Type: text/plain; charset=us-ascii\n\nSee the "
         "attachment.\n\n--qscan-raw-boundary\nContent-Type: " +
         type + "; name=\"" + name + "\"\nContent-Disposition: attachment; filename=\"" + name +
         "\"\nContent-Transfer-Encoding: base64\n\n" + base64(read_file(path)) +
         "--qscan-raw-boundary--\n";
}

using Clock = std::chrono::steady_clock;

struct Job {
  std::size_t row;
  pid_t pid;
  std::string out_path;
  Clock::time_point start;
};

struct Outcome {
  int exit_code = -1;
  std::string json;
  double seconds = 0;
};

// Runs `qscan --config CFG check FILE --json` for every row, `parallel` at a time.
std::vector<Outcome> run_all(const std::vector<Row>& rows, const std::string& base,
                             const std::string& config, const std::string& outdir, int parallel) {
  const std::string qscan = std::string(QSCAN_BINARY_DIR) + "/bin/qscan";
  std::vector<Outcome> results(rows.size());
  std::vector<Job> running;
  std::size_t next = 0;
  auto reap_one = [&] {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) return;
    for (std::size_t i = 0; i < running.size(); ++i) {
      if (running[i].pid != pid) continue;
      Outcome& o = results[running[i].row];
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      o.json = read_file(running[i].out_path);
      o.seconds = std::chrono::duration<double>(Clock::now() - running[i].start).count();
      running.erase(running.begin() + static_cast<long>(i));
      return;
    }
  };
  while (next < rows.size() || !running.empty()) {
    while (next < rows.size() && static_cast<int>(running.size()) < parallel) {
      const std::string out = outdir + "/" + std::to_string(next) + ".json";
      std::string file = base + "/" + rows[next].file;
      if (rows[next].file.starts_with("raw/")) {
        const std::string wrapped = outdir + "/" + std::to_string(next) + ".eml";
        std::ofstream(wrapped, std::ios::binary) << wrap_raw(file, next);
        file = wrapped;
      }
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
      std::vector<std::string> args = {qscan, "--config", config, "check", file, "--json"};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid = -1;
      int rc = posix_spawn(&pid, qscan.c_str(), &fa, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&fa);
      if (rc != 0) {
        results[next].exit_code = -2;
      } else {
        running.push_back({next, pid, out, Clock::now()});
      }
      ++next;
    }
    if (!running.empty()) reap_one();
  }
  return results;
}

TEST(Corpus, VerdictClassesMatchManifest) {
  const std::string manifest = find_manifest();
  if (manifest.empty()) GTEST_SKIP() << "no MANIFEST.tsv under " << QSCAN_CORPUS_DIR;
  const std::string base = fs::path(manifest).parent_path().string();
  const std::vector<Row> rows = read_manifest(manifest);
  ASSERT_GT(rows.size(), 0u);

  // Known mismatches: file -> (actual class, explanation).
  std::map<std::string, std::pair<std::string, std::string>> known;
  {
    std::ifstream in(std::string(QSCAN_TEST_DATA_DIR) + "/pipeline/corpus-known-mismatches.tsv");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto cols = split(line, '\t');
      if (cols.size() >= 3) known[cols[0]] = {cols[1], cols[2]};
    }
  }

  TempDir tmp("qscan-corpus");
  const std::string fixtures = (fs::path(base).parent_path() / "fixtures").string();
  ASSERT_TRUE(fs::exists(fixtures + "/qscan-test.hdb")) << fixtures;
  const std::string config = tmp.path() + "/qscan.toml";
  {
    std::ofstream f(config);
    f << "spool_dir = \"" << tmp.path() << "/spool\"\n"
      << "daemon_socket = \"" << tmp.path() << "/none.sock\"\n"
      << "log_details = \"none\"\n"
      << "clamav_db_dirs = [\"" << fixtures << "\"]\n"
      << "policy_file = \"" << fixtures << "/quarantine-attachments.txt\"\n"
      << "format_checks = [\"all\"]\n"
      << "scanners = [\"clamav\"]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const long cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
  auto results = run_all(rows, base, config, tmp.path(), static_cast<int>(std::min(cpus * 2, 8L)));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<std::string, int> counts;  // "expected->actual"
  int matched = 0, known_mismatch = 0, name_mismatch = 0;
  std::vector<std::string> failures, known_lines, name_lines;
  std::set<std::string> known_seen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const Outcome& o = results[i];
    const std::string verdict = json_field(o.json, "verdict");
    const std::string action = json_field(o.json, "action");
    std::string actual = verdict.empty() ? "no-output(exit " + std::to_string(o.exit_code) + ")"
                                         : actual_class(verdict);
    // check_command.cc: exit 0 exactly when the action is deliver, else 1.
    if (!verdict.empty() && o.exit_code != (action == "deliver" ? 0 : 1))
      actual += "(exit " + std::to_string(o.exit_code) + " for action " + action + ")";
    bool ok = false;
    std::string exp_classes;
    for (const std::string& alt : split(row.expected, '|')) {
      const std::string ec = expected_class(alt);
      exp_classes += (exp_classes.empty() ? "" : "|") + ec;
      if (ec == actual) {
        ok = true;
        // Same class: the virus name should match too (reported, not failed).
        if (ec == "virus" && alt != verdict) {
          ++name_mismatch;
          name_lines.push_back(row.file + "\texpected " + alt + "\tgot " + verdict);
        }
      }
    }
    ++counts[exp_classes + " -> " + actual];
    if (ok) {
      ++matched;
      continue;
    }
    const std::string line =
        row.file + "\texpected " + row.expected + "\tgot " + verdict + " (" + actual + ")";
    auto k = known.find(row.file);
    if (k != known.end() && k->second.first == actual) {
      ++known_mismatch;
      known_seen.insert(row.file);
      known_lines.push_back(line + "\t[known: " + k->second.second + "]");
    } else {
      failures.push_back(line);
    }
  }

  std::ostringstream summary;
  summary << "corpus: " << rows.size() << " rows in " << secs << " s; " << matched << " match, "
          << known_mismatch << " known mismatches, " << failures.size()
          << " unexplained mismatches, " << name_mismatch << " virus-name differences\n";
  {
    std::vector<std::pair<double, std::string>> slow;
    for (std::size_t i = 0; i < rows.size(); ++i)
      slow.emplace_back(results[i].seconds, rows[i].file);
    std::sort(slow.rbegin(), slow.rend());
    summary << "  slowest:";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, slow.size()); ++i)
      summary << " " << slow[i].second << " (" << slow[i].first << " s)";
    summary << "\n";
  }
  for (const auto& [k, n] : counts) summary << "  " << n << "\t" << k << "\n";
  for (const auto& l : known_lines) summary << "  KNOWN  " << l << "\n";
  for (const auto& l : name_lines) summary << "  NAME   " << l << "\n";
  for (const auto& l : failures) summary << "  FAIL   " << l << "\n";
  std::printf("%s", summary.str().c_str());
  RecordProperty("corpus_rows", static_cast<int>(rows.size()));
  RecordProperty("corpus_matched", matched);

  EXPECT_TRUE(failures.empty()) << summary.str();
  for (const auto& [file, v] : known) {
    EXPECT_TRUE(known_seen.count(file))
        << file << " is listed as a known mismatch (" << v.first
        << ") but now matches or differs otherwise: update corpus-known-mismatches.tsv";
  }
}

}  // namespace
