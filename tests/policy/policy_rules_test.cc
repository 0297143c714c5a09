#include "policy/policy_rules.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace qscan::policy {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(QSCAN_TEST_DATA_DIR) + "/policy/";
const std::string kSample = std::string(QSCAN_SOURCE_DIR) + "/config/quarantine-attachments.txt";

PolicySet parse_ok(const std::string& text) {
  PolicySet set;
  std::vector<PolicyError> errors;
  EXPECT_TRUE(parse_policy_text(text, "test", set, errors)) << text;
  for (const PolicyError& e : errors) ADD_FAILURE() << e.to_string();
  return set;
}

PolicyRule one_rule(const std::string& text) {
  PolicySet set = parse_ok(text);
  EXPECT_EQ(set.rules.size(), 1u) << text;
  return set.rules.empty() ? PolicyRule{} : set.rules[0];
}

std::vector<PolicyError> parse_bad(const std::string& text) {
  PolicySet set;
  set.source = "untouched";
  std::vector<PolicyError> errors;
  EXPECT_FALSE(parse_policy_text(text, "test", set, errors)) << text;
  EXPECT_EQ(set.source, "untouched");  // never half-loads
  EXPECT_TRUE(set.rules.empty());
  return errors;
}

// The single error of a one-line bad file.
std::string error_of(const std::string& line) {
  std::vector<PolicyError> errors = parse_bad(line + "\n");
  EXPECT_EQ(errors.size(), 1u) << line;
  if (errors.empty()) return "";
  EXPECT_EQ(errors[0].line, 1u);
  return errors[0].message;
}

std::string temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "qscan-policy-rules-XXXXXX").string();
  EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

// --- line forms ---

TEST(PolicyRules, OneXSizeRule) {
  PolicyRule r = one_rule("Happy99.exe\t10000\tHappy99 Trojan\n");
  EXPECT_EQ(r.line, 1u);
  EXPECT_EQ(r.pattern, "Happy99.exe");
  EXPECT_FALSE(r.header_rule);
  EXPECT_EQ(r.size, 10000);
  EXPECT_EQ(r.description, "Happy99 Trojan");
  EXPECT_EQ(r.action, RuleAction::kQuarantine);
  EXPECT_EQ(r.regex, nullptr);
}

TEST(PolicyRules, OneXZeroMeansAnySize) {
  EXPECT_EQ(one_rule(".exe\t0\t.exe File attachments not allowed").size, -1);
  EXPECT_EQ(one_rule(".exe\t000\tx").size, -1);
}

TEST(PolicyRules, TwoXSize) {
  EXPECT_EQ(one_rule("eicar.com\tSIZE=69\tEICAR Test virus").size, 69);
  EXPECT_EQ(one_rule(".scr\tSIZE=-1\tany size").size, -1);
  EXPECT_EQ(one_rule("empty.txt\tSIZE=0\tzero bytes exactly").size, 0);
  EXPECT_EQ(one_rule("x\tsize=5\tcase-insensitive keyword").size, 5);
}

TEST(PolicyRules, HeaderStringRule) {
  PolicyRule r = one_rule("ILOVEYOU\tSubject:\tLove Letter Virus/Trojan");
  EXPECT_TRUE(r.header_rule);
  EXPECT_EQ(r.header, "Subject");
  EXPECT_FALSE(r.virtual_header);
  EXPECT_EQ(r.size, -1);
  ASSERT_NE(r.regex, nullptr);
  EXPECT_TRUE(std::regex_search("fw: iloveyou", *r.regex));
}

TEST(PolicyRules, HeaderRegexRule) {
  PolicyRule r = one_rule("^Re: *your (order|invoice) [0-9]+$\tSubject:\tscam");
  ASSERT_NE(r.regex, nullptr);
  EXPECT_TRUE(std::regex_search("RE:your INVOICE 42", *r.regex));
  EXPECT_FALSE(std::regex_search("Re: your invoice", *r.regex));
}

TEST(PolicyRules, BackReferenceRegexStillCompiles) {
  PolicyRule r = one_rule("(ab)\\1\tX-Test:\tbackref");
  ASSERT_NE(r.regex, nullptr);
  EXPECT_TRUE(std::regex_search("xxABabxx", *r.regex));
}

TEST(PolicyRules, VirtualHeaders) {
  for (const char* name :
       {"MAILFROM", "RCPTTO", "REMOTEIPADDR", "ZIPPASSWORDPROTECTED", "CRYPTODETAILS",
        "FILELENGTHTOOLONG", "FILEDOUBLEBARRELED", "FILECLSID", "ISSENSITIVEANDNOCRYPTO"}) {
    PolicyRule r = one_rule(std::string("1\t") + name + ":\tvirtual");
    EXPECT_TRUE(r.header_rule) << name;
    EXPECT_TRUE(r.virtual_header) << name;
    EXPECT_EQ(r.header, name);
  }
  EXPECT_TRUE(one_rule("x\tmailfrom:\tlower case is still virtual").virtual_header);
  // ALLCAPS names that are not virtual headers are ordinary headers.
  PolicyRule r = one_rule("x\tMAILTO:\tnot virtual");
  EXPECT_TRUE(r.header_rule);
  EXPECT_FALSE(r.virtual_header);
  EXPECT_EQ(r.header, "MAILTO");
}

TEST(PolicyRules, FourthColumnAction) {
  EXPECT_EQ(one_rule("a\t0\td\tgreylist").action, RuleAction::kGreylist);
  EXPECT_EQ(one_rule("a\t0\td\tGREYLIST").action, RuleAction::kGreylist);
  EXPECT_EQ(one_rule("a\t0\td\tquarantine").action, RuleAction::kQuarantine);
  EXPECT_EQ(one_rule("a\tSubject:\td\tgreylist").action, RuleAction::kGreylist);
  EXPECT_EQ(one_rule("a\t0\td").action, RuleAction::kQuarantine);
}

TEST(PolicyRules, CommentsBlankLinesAndTabRuns) {
  PolicySet set = parse_ok(
      "# comment\n"
      "\n"
      "   \t \n"
      "  # indented comment\n"
      ".mp3\t\t\t0\t\tNo MP3\n"
      "a\t0\td \t\n");  // trailing blanks and TAB after the description
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].line, 5u);
  EXPECT_EQ(set.rules[0].pattern, ".mp3");
  EXPECT_EQ(set.rules[0].description, "No MP3");
  EXPECT_EQ(set.rules[1].line, 6u);
  EXPECT_EQ(set.rules[1].description, "d");
}

TEST(PolicyRules, CrlfTolerated) {
  PolicySet set = parse_ok("# c\r\nILOVEYOU\tSubject:\tLove\r\n.exe\t0\tno exe\tgreylist\r\n");
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].header, "Subject");
  EXPECT_EQ(set.rules[0].description, "Love");
  EXPECT_EQ(set.rules[1].action, RuleAction::kGreylist);
  EXPECT_EQ(set.rules[1].line, 3u);
}

TEST(PolicyRules, NoFinalNewline) { EXPECT_EQ(one_rule("a\t0\td").pattern, "a"); }

TEST(PolicyRules, EmptyFileIsAnEmptySet) {
  EXPECT_TRUE(parse_ok("").rules.empty());
  EXPECT_TRUE(parse_ok("# only comments\n\n").rules.empty());
}

// --- malformed lines ---

TEST(PolicyRulesErrors, SpacesInsteadOfTabs) {
  EXPECT_EQ(error_of(".exe 0 .exe files not allowed"),
            "columns must be separated by TABs, not spaces (found 1 TAB-separated column, need 3 "
            "or 4)");
  EXPECT_EQ(error_of(".exe\t0 no exe"),
            "columns must be separated by TABs, not spaces (found 2 TAB-separated columns, need 3 "
            "or 4)");
}

TEST(PolicyRulesErrors, TwoColumns) {
  EXPECT_EQ(error_of(".exe\t0"),
            "too few columns (2; need 3 or 4: pattern, size or header:, description[, action])");
}

TEST(PolicyRulesErrors, FiveColumns) {
  EXPECT_EQ(error_of("a\t0\tb\tquarantine\textra"),
            "too many columns (5; at most 4: pattern, size or header:, description, action)");
}

TEST(PolicyRulesErrors, BadSize) {
  EXPECT_EQ(error_of("b\t12k\tx"),
            "bad column 2 '12k': expected a size in bytes (0 = any), SIZE=n (-1 = any) or a "
            "header name ending in ':'");
  EXPECT_EQ(error_of("b\t-1\tx"),
            "bad column 2 '-1': expected a size in bytes (0 = any), SIZE=n (-1 = any) or a "
            "header name ending in ':'");
  EXPECT_EQ(error_of("c\tSIZE=-2\tx"),
            "bad size 'SIZE=-2' (SIZE=n with n >= 0, or SIZE=-1 for any size)");
  EXPECT_EQ(error_of("c\tSIZE=\tx"),
            "bad size 'SIZE=' (SIZE=n with n >= 0, or SIZE=-1 for any size)");
  EXPECT_EQ(error_of("c\t99999999999999999999999\tx"),
            "bad size '99999999999999999999999': too large");
}

TEST(PolicyRulesErrors, BadAction) {
  EXPECT_EQ(error_of("d\t0\tx\treject"), "bad action 'reject' (column 4: quarantine or greylist)");
}

TEST(PolicyRulesErrors, BadRegex) {
  std::string why = error_of("(unclosed\tSubject:\tx");
  EXPECT_TRUE(why.starts_with("bad regular expression: ")) << why;
  why = error_of("[z-a]\tSubject:\tx");
  EXPECT_TRUE(why.starts_with("bad regular expression: ")) << why;
}

TEST(PolicyRulesErrors, EmptyPattern) {
  EXPECT_EQ(error_of("\t0\tx"), "empty pattern (column 1)");
  EXPECT_EQ(error_of(".\t0\tx"),
            "empty pattern (column 1): nothing left once trailing dots and spaces are removed");
}

TEST(PolicyRulesErrors, BadHeaderName) {
  EXPECT_EQ(error_of("e\tSub ject:\tx"),
            "bad header name 'Sub ject' (column 2: printable characters without spaces, then ':')");
  EXPECT_EQ(error_of("e\t:\tx"),
            "bad header name '' (column 2: printable characters without spaces, then ':')");
}

TEST(PolicyRulesErrors, EmptyDescription) {
  EXPECT_EQ(error_of("a\t0\t \tgreylist"), "empty description (column 3)");
}

TEST(PolicyRulesErrors, LineTooLongAndNul) {
  EXPECT_EQ(error_of(std::string(9000, 'a') + "\t0\tx"), "line longer than 8192 bytes (9004)");
  EXPECT_EQ(error_of(std::string("a\0b\t0\tx", 7)), "NUL byte in line");
}

TEST(PolicyRulesErrors, EveryBadLineIsReportedWithItsNumber) {
  PolicySet set;
  std::vector<PolicyError> errors;
  ASSERT_FALSE(load_policy_file(kData + "bad-lines.txt", set, errors));
  EXPECT_TRUE(set.rules.empty());
  std::vector<std::uint64_t> lines;
  for (const PolicyError& e : errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10}));
  ASSERT_EQ(errors.size(), 9u);
  EXPECT_EQ(errors[0].to_string().substr(0, 52),
            "line 2: columns must be separated by TABs, not space");
  EXPECT_EQ(errors[5].to_string(),
            "line 7: bad action 'reject' (column 4: quarantine or greylist)");
}

TEST(PolicyRulesErrors, TooManyRules) {
  std::string text;
  for (std::size_t i = 0; i <= kMaxPolicyRules; ++i) text += "f" + std::to_string(i) + "\t0\td\n";
  std::vector<PolicyError> errors = parse_bad(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, kMaxPolicyRules + 1);
  EXPECT_EQ(errors[0].message, "more than 100000 rules");
}

TEST(PolicyRulesErrors, FileTooLarge) {
  std::string text(kMaxPolicyFileBytes + 1, '#');
  std::vector<PolicyError> errors = parse_bad(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 0u);
  EXPECT_EQ(errors[0].to_string(), "policy file is larger than 16777216 bytes");
}

TEST(PolicyRulesErrors, MissingFile) {
  PolicySet set;
  std::vector<PolicyError> errors;
  EXPECT_FALSE(load_policy_file(kData + "no-such-file.txt", set, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cannot open"), std::string::npos);
}

// --- files ---

TEST(PolicyRulesFiles, OneXSample) {
  PolicySet set;
  std::vector<PolicyError> errors;
  ASSERT_TRUE(load_policy_file(kData + "quarantine-attachments-1x.txt", set, errors));
  ASSERT_EQ(set.rules.size(), 5u);
  EXPECT_EQ(set.source, kData + "quarantine-attachments-1x.txt");
  EXPECT_EQ(set.rules[4].header, "subject");
  EXPECT_EQ(set.rules[4].action, RuleAction::kGreylist);
}

TEST(PolicyRulesFiles, TwoXSample) {
  PolicySet set;
  std::vector<PolicyError> errors;
  ASSERT_TRUE(load_policy_file(kData + "quarantine-events-2x.txt", set, errors));
  ASSERT_EQ(set.rules.size(), 13u);
  int virtuals = 0;
  for (const PolicyRule& r : set.rules) virtuals += r.virtual_header;
  EXPECT_EQ(virtuals, 9);
}

TEST(PolicyRulesFiles, ShippedSampleLoads) {
  PolicySet set;
  std::vector<PolicyError> errors;
  ASSERT_TRUE(load_policy_file(kSample, set, errors));
  // ILOVEYOU, Happy99, eicar.com and the 41 SANS extensions.
  ASSERT_EQ(set.rules.size(), 44u);
  EXPECT_EQ(set.rules[0].header, "Subject");
  EXPECT_EQ(set.rules[1].size, 10000);
  EXPECT_EQ(set.rules[2].pattern, "eicar.com");
  EXPECT_EQ(set.rules[2].size, 69);
  for (std::size_t i = 3; i < set.rules.size(); ++i) {
    EXPECT_EQ(set.rules[i].pattern.front(), '.');
    EXPECT_EQ(set.rules[i].size, -1);
  }
}

// --- compiled form ---

TEST(PolicyCompiled, RoundTripEqual) {
  for (const char* f : {"quarantine-attachments-1x.txt", "quarantine-events-2x.txt"}) {
    PolicySet set;
    std::vector<PolicyError> errors;
    ASSERT_TRUE(load_policy_file(kData + f, set, errors)) << f;
    std::string compiled = compile_policy(set);
    EXPECT_TRUE(compiled.starts_with("qscan-policy 1\n"));
    PolicySet back;
    std::string error;
    ASSERT_TRUE(load_compiled_policy(compiled, back, &error)) << error;
    EXPECT_EQ(back, set) << f;
    for (const PolicyRule& r : back.rules) EXPECT_EQ(r.header_rule, r.regex != nullptr);
    EXPECT_EQ(compile_policy(back), compiled);
  }
}

TEST(PolicyCompiled, EscapesAwkwardText) {
  PolicySet set;
  set.source = "dir\twith\ntabs\\and\x01";
  PolicyRule r;
  r.line = 7;
  r.pattern = "a\\tb\x7f";
  r.description = "desc\r\n\t\\";
  r.size = 12;
  r.action = RuleAction::kGreylist;
  set.rules.push_back(r);
  std::string compiled = compile_policy(set);
  EXPECT_EQ(std::count(compiled.begin(), compiled.end(), '\n'), 5);
  PolicySet back;
  std::string error;
  ASSERT_TRUE(load_compiled_policy(compiled, back, &error)) << error;
  EXPECT_EQ(back, set);
}

TEST(PolicyCompiled, RejectsDamage) {
  PolicySet set = parse_ok("a\t0\td\n(x)\tSubject:\ts\n");
  const std::string good = compile_policy(set);
  auto rejected = [](const std::string& text) {
    PolicySet out;
    std::string error;
    bool ok = load_compiled_policy(text, out, &error);
    EXPECT_FALSE(error.empty() && !ok);
    return !ok;
  };
  EXPECT_TRUE(rejected(""));
  EXPECT_TRUE(rejected("qscan-policy 2\n" + good.substr(good.find('\n') + 1)));
  EXPECT_TRUE(rejected(good.substr(0, good.size() - 1)));      // no final newline
  EXPECT_TRUE(rejected(good.substr(0, good.rfind("end\n"))));  // no end line
  std::string bad_regex = good;
  bad_regex.replace(bad_regex.find("(x)"), 3, "(x");
  EXPECT_TRUE(rejected(bad_regex));  // regexes are re-validated
  std::string bad_kind = good;
  bad_kind.replace(bad_kind.find("\tH\t"), 3, "\tV\t");
  EXPECT_TRUE(rejected(bad_kind));  // Subject is not virtual
  std::string bad_count = good;
  bad_count.replace(bad_count.find("rules\t2"), 7, "rules\t3");
  EXPECT_TRUE(rejected(bad_count));
  std::string bad_escape = good;
  bad_escape.replace(bad_escape.find("\td\n"), 3, "\td\\q\n");
  EXPECT_TRUE(rejected(bad_escape));
  EXPECT_FALSE(rejected(good));
}

// --- show ---

TEST(PolicyShow, OneRulePerLine) {
  PolicySet set = parse_ok(
      "ILOVEYOU\tSubject:\tLove Letter Virus/Trojan\n"
      "Happy99.exe\t10000\tHappy99 Trojan\n"
      ".exe\t0\t.exe File attachments not allowed\tgreylist\n"
      "^ceo@\tRCPTTO:\tWhaling\n");
  std::string table = show_policy(set);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 6);  // title, heading, 4 rules
  EXPECT_NE(table.find("# test: 4 rules, first match wins\n"), std::string::npos);
  EXPECT_NE(table.find("header Subject:"), std::string::npos);
  EXPECT_NE(table.find("/ILOVEYOU/i"), std::string::npos);
  EXPECT_NE(table.find("filename, size=10000"), std::string::npos);
  EXPECT_NE(table.find("greylist    extension"), std::string::npos);
  EXPECT_NE(table.find("/^ceo@/i"), std::string::npos);
  EXPECT_NE(table.find("virtual RCPTTO:"), std::string::npos);
}

// --- load_policy ---

TEST(PolicyLoad, TextCompiledAndErrors) {
  const std::string dir = temp_dir();
  const std::string text = dir + "/q.txt";
  { std::ofstream(text) << "x.exe\t0\tno\n"; }
  PolicySet set;
  std::string error;
  ASSERT_TRUE(load_policy(text, set, &error)) << error;
  ASSERT_EQ(set.rules.size(), 1u);
  { std::ofstream(dir + "/q.txt.compiled") << compile_policy(set); }
  PolicySet compiled;
  ASSERT_TRUE(load_policy(dir + "/q.txt.compiled", compiled, &error)) << error;
  EXPECT_EQ(compiled, set);
  { std::ofstream(dir + "/bad.txt") << "ok\t0\tfine\nbad 0 spaces\n"; }
  PolicySet kept = set;
  EXPECT_FALSE(load_policy(dir + "/bad.txt", kept, &error));
  EXPECT_EQ(kept, set);  // untouched
  EXPECT_EQ(error, dir +
                       "/bad.txt:2: columns must be separated by TABs, not spaces (found 1 "
                       "TAB-separated column, need 3 or 4)");
  { std::ofstream(dir + "/bad.compiled") << "garbage\n"; }
  EXPECT_FALSE(load_policy(dir + "/bad.compiled", kept, &error));
  EXPECT_NE(error.find("not a compiled policy"), std::string::npos) << error;
  EXPECT_FALSE(load_policy(dir, kept, &error));  // a directory
  fs::remove_all(dir);
}

TEST(PolicyLoad, EmptyPathIsDefaultOrEmpty) {
  PolicySet set;
  set.source = "x";
  std::string error;
  const bool has_default = fs::exists(kDefaultPolicyPath);
  bool ok = load_policy("", set, &error);
  if (!has_default) {
    EXPECT_TRUE(ok);
    EXPECT_TRUE(set.rules.empty());
    EXPECT_TRUE(set.source.empty());
  } else {
    EXPECT_EQ(ok, error.empty());
  }
}

}  // namespace
}  // namespace qscan::policy
