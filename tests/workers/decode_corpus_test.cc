// Acceptance over the shared corpus: every message decodes into a valid arena; rows
// expecting `malformed:<check>` get that finding, `clean` rows get no finding at all,
// limit rows get their limit.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

struct Row {
  std::string file;
  std::string expected;
};

std::vector<Row> manifest() {
  std::vector<Row> rows;
  std::istringstream in(read_file(std::string(QSCAN_CORPUS_DIR) + "/public/MANIFEST.tsv"));
  std::string line;
  std::getline(in, line);  // column names
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::string col;
    std::istringstream ls(line);
    while (std::getline(ls, col, '\t')) cols.push_back(col);
    if (cols.size() >= 5 && cols[0].rfind("msg/", 0) == 0) rows.push_back({cols[0], cols[4]});
  }
  return rows;
}

std::vector<std::string> alternatives(const std::string& expected) {
  std::vector<std::string> out;
  std::istringstream s(expected);
  std::string a;
  while (std::getline(s, a, '|')) out.push_back(a);
  return out;
}

std::string describe(const Decoded& d) {
  std::string s;
  for (const auto& f : d.out.findings) s += f.check + " [" + f.detail + "] ";
  return s;
}

TEST(DecodeCorpus, EveryMessageMatchesItsExpectedFindings) {
  std::vector<Row> rows = manifest();
  if (rows.empty()) GTEST_SKIP() << "corpus not found";
  int matched = 0;
  int checked = 0;
  for (const Row& row : rows) {
    std::string path = std::string(QSCAN_CORPUS_DIR) + "/public/" + row.file;
    Decoded d = decode(read_file(path));
    EXPECT_EQ(d.error, "") << row.file;
    if (!d.error.empty()) continue;
    std::vector<std::string> alts = alternatives(row.expected);
    bool ok = false;
    bool judged = false;
    for (const std::string& a : alts) {
      if (a == "clean" || a == "spam:GTUBE") {
        judged = true;
        ok |= d.out.findings.empty();
      } else if (a == "clean+rewrite:repeated_mime_header") {
        judged = true;
        ok |= d.has_finding("repeated_mime_header") && d.out.rewritten_message.has_value() &&
              d.out.findings.size() == 1;
      } else if (a.rfind("malformed:", 0) == 0) {
        judged = true;
        ok |= d.has_finding(a.substr(10));
      } else if (a.rfind("policy:limit:", 0) == 0) {
        judged = true;
        ok |= d.has_finding("limit:" + a.substr(13));
      } else if (a.rfind("virus:", 0) == 0) {
        judged = true;  // the scanner decides; a virus beats any finding
        ok = true;
      } else if (a.rfind("policy:attachment:", 0) == 0) {
        // Decided by the policy; here only: no format finding.
        judged = true;
        bool format_free = true;
        for (const auto& f : d.out.findings)
          format_free &= f.check.rfind("limit:", 0) == 0 || f.check == "repeated_mime_header";
        ok |= format_free;
      }
    }
    if (!judged) continue;
    ++checked;
    if (ok) ++matched;
    EXPECT_TRUE(ok) << row.file << " expected " << row.expected << " got: " << describe(d);
  }
  std::cout << "corpus rows matching: " << matched << "/" << checked << "\n";
}

}  // namespace
}  // namespace qscan::workers::testing
