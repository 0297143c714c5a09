#include "policy/policy_eval.h"

#include <gtest/gtest.h>

#include <string>

namespace qscan::policy {
namespace {

const std::string kData = std::string(QSCAN_TEST_DATA_DIR) + "/policy/";
const std::string kSample = std::string(QSCAN_SOURCE_DIR) + "/config/quarantine-attachments.txt";

PolicySet rules(const std::string& text) {
  PolicySet set;
  std::vector<PolicyError> errors;
  EXPECT_TRUE(parse_policy_text(text, "test", set, errors)) << text;
  for (const PolicyError& e : errors) ADD_FAILURE() << e.to_string();
  return set;
}

PolicySet load(const std::string& path) {
  PolicySet set;
  std::string error;
  EXPECT_TRUE(load_policy(path, set, &error)) << error;
  return set;
}

PolicyFacts with_attachment(const std::string& name, std::uint64_t size,
                            const std::string& path = "") {
  PolicyFacts f;
  f.attachments.push_back({{name}, size, path.empty() ? "2/" + name : path});
  return f;
}

PolicyFacts with_header(const std::string& name, const std::string& value) {
  PolicyFacts f;
  f.headers.push_back({name, value});
  return f;
}

// Line number of the matching rule, 0 for none.
std::uint64_t hit_line(const PolicySet& set, const PolicyFacts& facts) {
  std::optional<PolicyMatch> m = evaluate_policy(set, facts);
  return m ? m->rule->line : 0;
}

// --- attachment rules ---

TEST(PolicyEval, ExtensionMatchesLeafInsideArchive) {
  PolicySet set = rules(".exe\t0\tno exe\n");
  PolicyFacts f;
  f.attachments.push_back({{"report.pdf"}, 1000, "2/report.pdf"});
  f.attachments.push_back(
      {{"dir/sub/payload.exe"}, 5000, "3/outer.zip/inner.rar/dir/sub/payload.exe"});
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rule, &set.rules[0]);
  EXPECT_EQ(m->matched, "dir/sub/payload.exe");
  EXPECT_EQ(m->where, "3/outer.zip/inner.rar/dir/sub/payload.exe");
}

TEST(PolicyEval, NameRulesIgnoreCaseAndWindowsTrailingDotsAndSpaces) {
  EXPECT_TRUE(policy_name_matches(".exe", "PAYLOAD.EXE"));
  EXPECT_TRUE(policy_name_matches(".exe", "payload.exe."));
  EXPECT_TRUE(policy_name_matches(".exe", "payload.exe . "));
  EXPECT_TRUE(policy_name_matches(".exe", "C:\\Temp\\x.Exe"));
  EXPECT_FALSE(policy_name_matches(".exe", "x.exe.txt"));
  EXPECT_FALSE(policy_name_matches(".exe", "xexe"));
  EXPECT_TRUE(policy_name_matches("Happy99.exe", "happy99.EXE"));
  EXPECT_TRUE(policy_name_matches("Happy99.exe", "zip/dir/Happy99.exe"));
  EXPECT_FALSE(policy_name_matches("Happy99.exe", "notHappy99.exe"));
  EXPECT_FALSE(policy_name_matches("Happy99.exe", "Happy99.exe.zip"));
  EXPECT_TRUE(policy_name_matches("eicar.com ", "EICAR.COM"));  // pattern trailing space
}

TEST(PolicyEval, AnyOfThePartsNames) {
  PolicySet set = rules(".scr\t0\tno scr\n");
  PolicyFacts f;
  f.attachments.push_back({{"innocent.txt", "photo.scr"}, 10, "2"});
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched, "photo.scr");
}

TEST(PolicyEval, SizeExactVersusAny) {
  PolicySet set = rules(
      "eicar.com\t69\texact 1.x\n"
      "virus.bin\tSIZE=100\texact 2.x\n"
      "any.bin\tSIZE=-1\tany 2.x\n"
      "any2.bin\t0\tany 1.x\n"
      "empty.txt\tSIZE=0\tzero\n");
  EXPECT_EQ(hit_line(set, with_attachment("eicar.com", 69)), 1u);
  EXPECT_EQ(hit_line(set, with_attachment("eicar.com", 68)), 0u);
  EXPECT_EQ(hit_line(set, with_attachment("eicar.com", 70)), 0u);
  EXPECT_EQ(hit_line(set, with_attachment("virus.bin", 100)), 2u);
  EXPECT_EQ(hit_line(set, with_attachment("virus.bin", 0)), 0u);
  EXPECT_EQ(hit_line(set, with_attachment("any.bin", 0)), 3u);
  EXPECT_EQ(hit_line(set, with_attachment("any.bin", 1u << 30)), 3u);
  EXPECT_EQ(hit_line(set, with_attachment("any2.bin", 12345)), 4u);
  EXPECT_EQ(hit_line(set, with_attachment("empty.txt", 0)), 5u);
  EXPECT_EQ(hit_line(set, with_attachment("empty.txt", 1)), 0u);
}

TEST(PolicyEval, AttachmentRulesNeverLookAtHeaders) {
  PolicySet set = rules(".exe\t0\tno exe\n");
  EXPECT_EQ(hit_line(set, with_header("Subject", "x.exe")), 0u);
}

// --- header rules ---

TEST(PolicyEval, HeaderNameAndValueCaseInsensitive) {
  PolicySet set = rules("ILOVEYOU\tSubject:\tLove Letter\n");
  EXPECT_EQ(hit_line(set, with_header("Subject", "ILOVEYOU")), 1u);
  EXPECT_EQ(hit_line(set, with_header("SUBJECT", "fw: iloveyou!")), 1u);
  EXPECT_EQ(hit_line(set, with_header("subject", "I love you")), 0u);
  EXPECT_EQ(hit_line(set, with_header("X-Subject", "ILOVEYOU")), 0u);
  std::optional<PolicyMatch> m = evaluate_policy(set, with_header("sUbJeCt", "Re: ILoveYou"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched, "Re: ILoveYou");
  EXPECT_EQ(m->where, "sUbJeCt");
}

TEST(PolicyEval, HeaderRegex) {
  PolicySet set = rules("^(re|fw): *invoice [0-9]{4}$\tSubject:\tscam\n");
  EXPECT_EQ(hit_line(set, with_header("Subject", "RE:Invoice 2024")), 1u);
  EXPECT_EQ(hit_line(set, with_header("Subject", "fw: invoice 2024 attached")), 0u);
  EXPECT_EQ(hit_line(set, with_header("Subject", "invoice 2024")), 0u);
}

TEST(PolicyEval, AnyOfRepeatedHeaders) {
  PolicySet set = rules("evil\\.example\tReceived:\tbad relay\n");
  PolicyFacts f;
  f.headers = {
      {"Received", "from a.example"}, {"Received", "from EVIL.example"}, {"Subject", "hi"}};
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched, "from EVIL.example");
}

TEST(PolicyEval, HostileHeaderValueIsCappedAndSafe) {
  const std::string huge(1 << 20, 'a');
  // Only the first kMaxHeaderValueBytes (1000, about an RFC 5322 line) are looked at.
  PolicySet tail = rules("TAIL\tSubject:\tbeyond the cap\n");
  EXPECT_EQ(hit_line(tail, with_header("Subject", huge + "TAIL")), 0u);
  EXPECT_EQ(hit_line(tail, with_header("Subject", std::string(100, 'a') + "TAIL")), 1u);
  // Exponential backtracking bait finishes (polynomial executor) without a match.
  EXPECT_FALSE(
      evaluate_policy(rules("(a|aa)*c\tSubject:\tbait\n"), with_header("Subject", huge + "c")));
  // A back-reference rule (backtracking executor) does not exhaust the stack on 1 MiB.
  EXPECT_EQ(hit_line(rules("(x)\\1\tX-Backref:\tbackref\n"),
                     with_header("X-Backref", std::string(1 << 20, 'y'))),
            0u);
  std::optional<PolicyMatch> capped =
      evaluate_policy(rules("a\tSubject:\tx\n"), with_header("Subject", huge));
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->matched.size(), kMaxHeaderValueBytes);
}

// --- virtual headers ---

TEST(PolicyEval, MailFromAndRemoteIp) {
  PolicySet set = rules(
      "@spammer\\.example$\tMAILFROM:\tspammer\n"
      "^10\\.66\\.\tREMOTEIPADDR:\tnetwork\n"
      "^$\tMAILFROM:\tnull sender\n");
  PolicyFacts f;
  f.mail_from = "Bob@SPAMMER.example";
  EXPECT_EQ(hit_line(set, f), 1u);
  f.mail_from = "bob@ok.example";
  f.remote_ip = "10.66.1.2";
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rule->line, 2u);
  EXPECT_EQ(m->where, "REMOTEIPADDR");
  EXPECT_EQ(m->matched, "10.66.1.2");
  f.remote_ip = "10.67.0.1";
  EXPECT_EQ(hit_line(set, f), 0u);
  f.mail_from = "";
  EXPECT_EQ(hit_line(set, f), 3u);
}

TEST(PolicyEval, VirtualHeadersAreNotReadFromTheMessage) {
  PolicySet set = rules("@spammer\tMAILFROM:\tspammer\n1\tZIPPASSWORDPROTECTED:\tzip\n");
  PolicyFacts f;
  f.mail_from = "a@ok.example";
  f.headers = {{"MAILFROM", "x@spammer"}, {"ZIPPASSWORDPROTECTED", "1"}};
  EXPECT_EQ(hit_line(set, f), 0u);
}

TEST(PolicyEval, RcptToAnyRecipient) {
  PolicySet set = rules("^ceo@\tRCPTTO:\tWhaling\tgreylist\n");
  PolicyFacts f;
  f.rcpt_to = {"alice@corp.example", "CEO@corp.example", "bob@corp.example"};
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched, "CEO@corp.example");
  EXPECT_EQ(m->rule->action, RuleAction::kGreylist);
  // Each recipient on its own: "^ceo@" must not match inside a joined list.
  f.rcpt_to = {"alice@corp.example", "xceo@corp.example"};
  EXPECT_EQ(hit_line(set, f), 0u);
  f.rcpt_to.clear();
  EXPECT_EQ(hit_line(set, f), 0u);
}

TEST(PolicyEval, BooleanVirtuals) {
  struct Case {
    const char* header;
    bool PolicyFacts::*flag;
  };
  for (const Case& c : {Case{"ZIPPASSWORDPROTECTED", &PolicyFacts::zip_password_protected},
                        Case{"FILELENGTHTOOLONG", &PolicyFacts::file_length_too_long},
                        Case{"FILEDOUBLEBARRELED", &PolicyFacts::file_double_barreled},
                        Case{"FILECLSID", &PolicyFacts::file_clsid},
                        Case{"ISSENSITIVEANDNOCRYPTO", &PolicyFacts::sensitive_and_no_crypto}}) {
    for (const char* pattern : {"1", ".", "^1$"}) {
      PolicySet set = rules(std::string(pattern) + "\t" + c.header + ":\tflag\n");
      PolicyFacts f;
      EXPECT_EQ(hit_line(set, f), 0u) << c.header << " " << pattern;
      f.*c.flag = true;
      std::optional<PolicyMatch> m = evaluate_policy(set, f);
      ASSERT_TRUE(m) << c.header << " " << pattern;
      EXPECT_EQ(m->matched, "1");
      EXPECT_EQ(m->where, c.header);
    }
    // "^$" matches nothing: a false flag is absent, not empty.
    PolicyFacts f;
    EXPECT_EQ(hit_line(rules(std::string("^$\t") + c.header + ":\tflag\n"), f), 0u);
  }
}

TEST(PolicyEval, CryptoDetails) {
  PolicySet set = rules("ZIP\\(encrypted\\)\tCRYPTODETAILS:\tEncrypted archive\n");
  PolicyFacts f;
  EXPECT_EQ(hit_line(set, f), 0u);
  f.crypto = {"PGP(signed)"};
  EXPECT_EQ(hit_line(set, f), 0u);
  f.crypto = {"PGP(signed)", "ZIP(encrypted)"};
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched, "PGP(signed) ZIP(encrypted)");
  EXPECT_EQ(hit_line(rules("signed\\) zip\tCRYPTODETAILS:\tjoined by a space\n"), f), 1u);
}

TEST(PolicyEval, UnknownAllCapsNameIsARealHeader) {
  PolicySet set = rules("x@y\tMAILTO:\tordinary header\n");
  PolicyFacts f;
  f.mail_from = "x@y";
  EXPECT_EQ(hit_line(set, f), 0u);
  f.headers = {{"Mailto", "x@y"}};
  EXPECT_EQ(hit_line(set, f), 1u);
}

// --- order ---

TEST(PolicyEval, FirstMatchInFileOrder) {
  PolicySet set = rules(
      "# comment\n"
      "Happy99.exe\t10000\tHappy99 Trojan\tgreylist\n"
      ".exe\t0\tno exe\n"
      "ILOVEYOU\tSubject:\tLove Letter\n");
  PolicyFacts f = with_attachment("Happy99.exe", 10000);
  f.headers = {{"Subject", "ILOVEYOU"}};
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rule->line, 2u);
  EXPECT_EQ(m->rule->action, RuleAction::kGreylist);
  f.attachments[0].size = 9999;
  EXPECT_EQ(hit_line(set, f), 3u);
  f.attachments.clear();
  EXPECT_EQ(hit_line(set, f), 4u);
  // A header rule placed first wins over an attachment rule after it.
  PolicySet header_first = rules("ILOVEYOU\tSubject:\tLove\n.exe\t0\tno exe\n");
  f = with_attachment("x.exe", 1);
  f.headers = {{"Subject", "ILOVEYOU"}};
  EXPECT_EQ(hit_line(header_first, f), 1u);
}

TEST(PolicyEval, EmptySetMatchesNothing) {
  PolicyFacts f = with_attachment("x.exe", 1);
  f.headers = {{"Subject", "ILOVEYOU"}};
  EXPECT_FALSE(evaluate_policy(PolicySet{}, f));
}

// --- the migration claim: the shipped sample blocks what it says ---

TEST(PolicySample, BlocksWhatItSays) {
  PolicySet set = load(kSample);
  ASSERT_FALSE(set.rules.empty());
  auto describe = [&](const PolicyFacts& f) {
    std::optional<PolicyMatch> m = evaluate_policy(set, f);
    return m ? m->rule->description : std::string();
  };
  EXPECT_EQ(describe(with_attachment("x.exe", 1234)), ".exe File attachments not allowed");
  EXPECT_EQ(describe(with_attachment("X.EXE", 1)), ".exe File attachments not allowed");
  EXPECT_EQ(describe(with_attachment("eicar.com", 69)), "EICAR Test virus");
  // 68 bytes is not the EICAR rule; the SANS list still blocks .com by extension.
  EXPECT_EQ(describe(with_attachment("eicar.com", 68)), ".com File attachments not allowed");
  EXPECT_EQ(describe(with_attachment("Happy99.exe", 10000)), "Happy99 Trojan");
  EXPECT_EQ(describe(with_attachment("happy99.exe", 10001)), ".exe File attachments not allowed");
  EXPECT_EQ(describe(with_header("Subject", "ILOVEYOU")), "Love Letter Virus/Trojan");
  EXPECT_EQ(describe(with_header("subject", "fwd: iloveyou")), "Love Letter Virus/Trojan");
  EXPECT_EQ(describe(with_attachment("invoice.zip/payload.vbs", 10, "2/invoice.zip/payload.vbs")),
            ".vbs File attachments not allowed");
  EXPECT_EQ(describe(with_attachment("song.shb", 1)), ".shb File attachments not allowed");
  EXPECT_EQ(describe(with_attachment("readme.txt", 100)), "");
  EXPECT_EQ(describe(with_attachment("report.pdf", 100)), "");
  EXPECT_EQ(describe(with_header("Subject", "I love you")), "");
}

TEST(PolicySample, CompiledSampleBehavesTheSame) {
  PolicySet text = load(kSample);
  PolicySet compiled;
  std::string error;
  ASSERT_TRUE(load_compiled_policy(compile_policy(text), compiled, &error)) << error;
  for (const char* name : {"x.exe", "eicar.com", "a.pif", "b.txt"}) {
    for (std::uint64_t size : {68u, 69u}) {
      PolicyFacts f = with_attachment(name, size);
      std::optional<PolicyMatch> a = evaluate_policy(text, f), b = evaluate_policy(compiled, f);
      ASSERT_EQ(a.has_value(), b.has_value()) << name;
      if (a) {
        EXPECT_EQ(a->rule->line, b->rule->line);
      }
    }
  }
}

TEST(PolicySample, TwoXFileWithVirtualHeaders) {
  PolicySet set = load(kData + "quarantine-events-2x.txt");
  PolicyFacts f;
  f.mail_from = "x@ok.example";
  f.rcpt_to = {"ceo@corp.example"};
  std::optional<PolicyMatch> m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rule->description, "Whaling protection");
  EXPECT_EQ(m->rule->action, RuleAction::kGreylist);
  f.rcpt_to = {"staff@corp.example"};
  f.file_double_barreled = true;
  m = evaluate_policy(set, f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rule->description, "Double-barreled file name");
}

}  // namespace
}  // namespace qscan::policy
