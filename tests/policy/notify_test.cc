#include "policy/notify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace qscan::policy {
namespace {

const std::string kTemplates = QSCAN_SOURCE_DIR "/config/templates";
const std::vector<std::string> kLangs = {"en", "de", "fr", "es", "it", "nl", "pt", "pl"};
const std::vector<NotifyTarget::Kind> kKinds = {NotifyTarget::kSender, NotifyTarget::kRecipient,
                                                NotifyTarget::kAdmin};

NotifyInput base_input() {
  NotifyInput in;
  in.sender = "alice@example.org";
  in.recipients = {"bob@example.net", "carol@example.net"};
  in.modes = {"psender", "admin"};
  in.admin_address = "postmaster";
  in.local_domain = "mx.example.net";
  return in;
}

// "S:addr" / "R:addr" / "A:addr" for compact comparisons.
std::vector<std::string> targets(const NotifySelection& sel) {
  std::vector<std::string> out;
  for (const NotifyTarget& t : sel.targets) {
    const char* k = t.kind == NotifyTarget::kSender      ? "S:"
                    : t.kind == NotifyTarget::kRecipient ? "R:"
                                                         : "A:";
    out.push_back(k + t.address);
  }
  return out;
}

std::vector<std::string> select(NotifyInput in) { return targets(select_notify_targets(in)); }

bool skipped_contains(const NotifySelection& sel, const std::string& needle) {
  for (const std::string& s : sel.skipped)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

using V = std::vector<std::string>;

// ---------------------------------------------------------------- helpers

TEST(NotifyPostmasterLike, Addresses) {
  for (const char* a : {"", "<>", "  ", "#@[]", "<#@[]>", "postmaster", "postmaster@example.org",
                        "PostMaster@Example.ORG", "<postmaster@x.y>", "MAILER-DAEMON@x.y",
                        "mailer-daemon", "Mailer-Daemon@mx.example.net"}) {
    EXPECT_TRUE(is_postmaster_like(a)) << "'" << a << "'";
  }
  for (const char* a : {"alice@example.org", "postmaster-team@x.y", "mypostmaster@x.y",
                        "mailer-daemons@x.y", "daemon@x.y", "bob@postmaster.example"}) {
    EXPECT_FALSE(is_postmaster_like(a)) << a;
  }
}

TEST(NotifyListMail, Headers) {
  using H = std::vector<std::pair<std::string, std::string>>;
  EXPECT_TRUE(is_list_mail(H{{"Precedence", "bulk"}}));
  EXPECT_TRUE(is_list_mail(H{{"precedence", " List "}}));
  EXPECT_TRUE(is_list_mail(H{{"PRECEDENCE", "junk (auto)"}}));
  EXPECT_TRUE(is_list_mail(H{{"List-Id", "<dev.lists.example.org>"}}));
  EXPECT_TRUE(is_list_mail(H{{"list-unsubscribe", "<mailto:x@y>"}}));
  EXPECT_TRUE(is_list_mail(H{{"List-Post", "NO"}}));
  EXPECT_TRUE(is_list_mail(H{{"Mailing-List", "contact dev-help@example.org; run by ezmlm"}}));
  EXPECT_TRUE(is_list_mail(H{{"Subject", "hi"}, {"List-Id", "x"}}));
  EXPECT_FALSE(is_list_mail(H{}));
  EXPECT_FALSE(is_list_mail(H{{"Precedence", "first-class"}}));
  EXPECT_FALSE(is_list_mail(H{{"Precedence", "bulky"}}));
  EXPECT_FALSE(is_list_mail(H{{"Subject", "List-Id: fake"}, {"X-List", "x"}}));
  EXPECT_FALSE(is_list_mail(H{{"Listed", "x"}}));
}

TEST(NotifyForging, DefaultPatterns) {
  const V& d = default_forging_patterns();
  EXPECT_GE(d.size(), 20u);
  for (const char* family : {"Klez", "Sobig", "Mydoom", "Netsky", "Bagle", "Sober"}) {
    EXPECT_NE(std::find(d.begin(), d.end(), family), d.end()) << family;
  }
  for (const char* name : {"Worm.Mydoom.A", "W32/MyDoom@MM", "Win32.Netsky.Q", "I-Worm.Klez.H",
                           "W32.Sobig.F@mm", "Worm.Bagle.Gen-zippwd", "w32.sober.x"}) {
    EXPECT_TRUE(virus_forges_sender(name, {})) << name;
  }
  for (const char* name : {"Eicar-Test-Signature", "Win.Test.EICAR_HDB-1", "Html.Phishing.Bank",
                           "Doc.Macro.Melissa", ""}) {
    EXPECT_FALSE(virus_forges_sender(name, {})) << name;
  }
}

TEST(NotifyForging, ConfiguredPatternsReplaceDefaults) {
  EXPECT_TRUE(virus_forges_sender("Eicar-Test-Signature", {"eicar"}));
  EXPECT_FALSE(virus_forges_sender("Worm.Mydoom.A", {"eicar"}));
  // Globs match the whole name.
  EXPECT_TRUE(virus_forges_sender("Worm.Mydoom.A", {"worm.*"}));
  EXPECT_FALSE(virus_forges_sender("Win.Worm.Mydoom", {"worm.*"}));
  EXPECT_TRUE(virus_forges_sender("Win.Worm.Mydoom", {"*.worm.*"}));
  EXPECT_TRUE(virus_forges_sender("Trojan.X1", {"trojan.x?"}));
  EXPECT_FALSE(virus_forges_sender("Trojan.X12", {"trojan.x?"}));
  // Blank patterns are ignored rather than matching everything.
  EXPECT_FALSE(virus_forges_sender("Anything", {"", "  "}));
}

// ---------------------------------------------------------------- selection by mode

TEST(NotifySelect, DefaultPsenderAdminPolicyBlock) {
  NotifyInput in = base_input();
  EXPECT_EQ(select(in), (V{"S:alice@example.org", "A:postmaster@mx.example.net"}));
}

TEST(NotifySelect, DefaultPsenderAdminVirus) {
  NotifyInput in = base_input();
  in.is_virus = true;
  in.virus_name = "Eicar-Test-Signature";
  NotifySelection sel = select_notify_targets(in);
  EXPECT_EQ(targets(sel), (V{"A:postmaster@mx.example.net"}));
  EXPECT_TRUE(skipped_contains(sel, "sender not told")) << ::testing::PrintToString(sel.skipped);
}

TEST(NotifySelect, NoneAloneIsNobody) {
  NotifyInput in = base_input();
  in.modes = {"none"};
  NotifySelection sel = select_notify_targets(in);
  EXPECT_TRUE(sel.targets.empty());
  EXPECT_FALSE(sel.skipped.empty());
  in.is_virus = true;
  EXPECT_TRUE(select(in).empty());
}

TEST(NotifySelect, NoneWinsOverOtherModes) {
  NotifyInput in = base_input();
  in.modes = {"admin", "none", "recips"};
  EXPECT_TRUE(select(in).empty());
}

TEST(NotifySelect, EmptyModesIsNobody) {
  NotifyInput in = base_input();
  in.modes = {};
  EXPECT_TRUE(select(in).empty());
}

TEST(NotifySelect, PsenderAlone) {
  NotifyInput in = base_input();
  in.modes = {"psender"};
  EXPECT_EQ(select(in), (V{"S:alice@example.org"}));
  in.is_virus = true;
  in.virus_name = "Eicar-Test-Signature";
  EXPECT_TRUE(select(in).empty());
}

TEST(NotifySelect, SenderTellsAboutNonForgingVirus) {
  NotifyInput in = base_input();
  in.modes = {"sender"};
  in.is_virus = true;
  in.virus_name = "Eicar-Test-Signature";
  EXPECT_EQ(select(in), (V{"S:alice@example.org"}));
}

TEST(NotifySelect, SenderSkipsForgingVirus) {
  NotifyInput in = base_input();
  in.modes = {"sender"};
  in.is_virus = true;
  in.virus_name = "Worm.Mydoom.A";
  NotifySelection sel = select_notify_targets(in);
  EXPECT_TRUE(sel.targets.empty());
  EXPECT_TRUE(skipped_contains(sel, "forges")) << ::testing::PrintToString(sel.skipped);
}

TEST(NotifySelect, SenderForgingListFromConfig) {
  NotifyInput in = base_input();
  in.modes = {"sender"};
  in.is_virus = true;
  in.virus_name = "Worm.Mydoom.A";
  in.forging_patterns = {"Eicar"};  // replaces the defaults
  EXPECT_EQ(select(in), (V{"S:alice@example.org"}));
  in.virus_name = "Eicar-Test-Signature";
  EXPECT_TRUE(select(in).empty());
}

TEST(NotifySelect, SenderPolicyBlockIgnoresForgingPatterns) {
  NotifyInput in = base_input();
  in.modes = {"sender"};
  in.is_virus = false;
  in.virus_name = "Mydoom";  // irrelevant for a policy block
  EXPECT_EQ(select(in), (V{"S:alice@example.org"}));
}

TEST(NotifySelect, SenderAndPsenderTogetherActLikeSender) {
  NotifyInput in = base_input();
  in.modes = {"psender", "sender"};
  in.is_virus = true;
  in.virus_name = "Eicar-Test-Signature";
  EXPECT_EQ(select(in), (V{"S:alice@example.org"}));
}

TEST(NotifySelect, RecipsAlone) {
  NotifyInput in = base_input();
  in.modes = {"recips"};
  EXPECT_EQ(select(in), (V{"R:bob@example.net", "R:carol@example.net"}));
  in.is_virus = true;
  in.virus_name = "Worm.Mydoom.A";
  EXPECT_EQ(select(in), (V{"R:bob@example.net", "R:carol@example.net"}));
}

TEST(NotifySelect, RecipsSkipsPostmasterLikeRecipients) {
  NotifyInput in = base_input();
  in.modes = {"recips"};
  in.recipients = {"postmaster@example.net", "bob@example.net", "MAILER-DAEMON@example.net", ""};
  NotifySelection sel = select_notify_targets(in);
  EXPECT_EQ(targets(sel), (V{"R:bob@example.net"}));
  EXPECT_TRUE(skipped_contains(sel, "postmaster@example.net"));
}

TEST(NotifySelect, AdminAlone) {
  NotifyInput in = base_input();
  in.modes = {"admin"};
  EXPECT_EQ(select(in), (V{"A:postmaster@mx.example.net"}));
  in.is_virus = true;
  EXPECT_EQ(select(in), (V{"A:postmaster@mx.example.net"}));
}

TEST(NotifySelect, AdminQualification) {
  NotifyInput in = base_input();
  in.modes = {"admin"};
  in.admin_address = "security@corp.example";
  EXPECT_EQ(select(in), (V{"A:security@corp.example"}));
  in.admin_address = "virusadmin";
  EXPECT_EQ(select(in), (V{"A:virusadmin@mx.example.net"}));
  in.admin_address = "<abuse@corp.example>";
  EXPECT_EQ(select(in), (V{"A:abuse@corp.example"}));
  in.admin_address = "";
  NotifySelection sel = select_notify_targets(in);
  EXPECT_TRUE(sel.targets.empty());
  EXPECT_TRUE(skipped_contains(sel, "admin"));
}

TEST(NotifySelect, AllModes) {
  NotifyInput in = base_input();
  in.modes = {"sender", "recips", "admin"};
  EXPECT_EQ(select(in), (V{"S:alice@example.org", "R:bob@example.net", "R:carol@example.net",
                           "A:postmaster@mx.example.net"}));
  in.is_virus = true;
  in.virus_name = "Worm.Mydoom.A";
  EXPECT_EQ(select(in),
            (V{"R:bob@example.net", "R:carol@example.net", "A:postmaster@mx.example.net"}));
}

TEST(NotifySelect, PsenderRecips) {
  NotifyInput in = base_input();
  in.modes = {"psender", "recips"};
  EXPECT_EQ(select(in), (V{"S:alice@example.org", "R:bob@example.net", "R:carol@example.net"}));
  in.is_virus = true;
  in.virus_name = "Eicar-Test-Signature";
  EXPECT_EQ(select(in), (V{"R:bob@example.net", "R:carol@example.net"}));
}

TEST(NotifySelect, UnknownModesIgnored) {
  NotifyInput in = base_input();
  in.modes = {"everyone", "ADMIN", " recips "};
  EXPECT_EQ(select(in),
            (V{"R:bob@example.net", "R:carol@example.net", "A:postmaster@mx.example.net"}));
  in.modes = {"everyone"};
  EXPECT_TRUE(select(in).empty());
}

// ---------------------------------------------------------------- never the sender

TEST(NotifySelect, NeverPostmasterLikeSenders) {
  for (const char* sender : {"", "<>", "#@[]", "postmaster@example.org", "MAILER-DAEMON@x.y",
                             "Mailer-Daemon@mx.example.org"}) {
    for (const V& modes : {V{"sender"}, V{"psender"}, V{"sender", "recips", "admin"}}) {
      NotifyInput in = base_input();
      in.sender = sender;
      in.modes = modes;
      NotifySelection sel = select_notify_targets(in);
      for (const NotifyTarget& t : sel.targets) {
        EXPECT_NE(t.kind, NotifyTarget::kSender) << "'" << sender << "' -> " << t.address;
      }
      EXPECT_TRUE(skipped_contains(sel, "sender not told")) << sender;
    }
  }
}

TEST(NotifySelect, NeverListMailSenders) {
  NotifyInput in = base_input();
  in.modes = {"sender", "recips"};
  in.list_mail = is_list_mail({{"Precedence", "bulk"}});
  ASSERT_TRUE(in.list_mail);
  NotifySelection sel = select_notify_targets(in);
  EXPECT_EQ(targets(sel), (V{"R:bob@example.net", "R:carol@example.net"}));
  EXPECT_TRUE(skipped_contains(sel, "list"));

  in.list_mail = is_list_mail({{"List-Id", "<users.lists.example.org>"}});
  ASSERT_TRUE(in.list_mail);
  in.modes = {"psender"};
  EXPECT_TRUE(select(in).empty());
}

// ---------------------------------------------------------------- dedup

TEST(NotifySelect, DeduplicatesCaseInsensitively) {
  NotifyInput in = base_input();
  in.modes = {"sender", "recips"};
  in.sender = "Bob@Example.NET";
  in.recipients = {"bob@example.net", "carol@example.net", "CAROL@example.net",
                   "<bob@EXAMPLE.net>"};
  EXPECT_EQ(select(in), (V{"S:Bob@Example.NET", "R:carol@example.net"}));
}

TEST(NotifySelect, AdminAlertWinsOverRecipientAndSender) {
  NotifyInput in = base_input();
  in.modes = {"sender", "recips", "admin"};
  in.admin_address = "Security@Example.net";
  in.sender = "security@example.net";
  in.recipients = {"SECURITY@example.net", "bob@example.net"};
  NotifySelection sel = select_notify_targets(in);
  EXPECT_EQ(targets(sel), (V{"R:bob@example.net", "A:Security@Example.net"}));
  EXPECT_TRUE(skipped_contains(sel, "admin alert"));
}

// ---------------------------------------------------------------- build_alert

AlertFields sample_fields() {
  AlertFields f;
  f.reason = "virus: Worm.Mydoom.A";
  f.description = "ClamAV found Worm.Mydoom.A in attachment document.zip";
  f.sender = "alice@example.org";
  f.recipients = "bob@example.net, carol@example.net";
  f.subject = "Quarterly report";
  f.message_id = "<20240101120000.1234@example.org>";
  f.quarantine_id = "1704110400.1234-0.mx.example.net:4711";
  f.hostname = "mx.example.net";
  f.date = "Mon, 01 Jan 2024 12:00:00 +0000";
  f.scanners = "clamd 1.0.5/27140, spamd 4.0.0";
  return f;
}

struct Parsed {
  std::vector<std::pair<std::string, std::string>> headers;  // unfolded
  std::string body;
};

Parsed parse(const std::string& msg) {
  Parsed p;
  std::size_t end = msg.find("\n\n");
  EXPECT_NE(end, std::string::npos);
  std::istringstream hs(msg.substr(0, end));
  std::string line;
  while (std::getline(hs, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!p.headers.empty()) p.headers.back().second += line;
      continue;
    }
    std::size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    if (!v.empty() && v[0] == ' ') v.erase(0, 1);
    p.headers.emplace_back(line.substr(0, colon), v);
  }
  p.body = end == std::string::npos ? "" : msg.substr(end + 2);
  return p;
}

std::vector<std::string> header_values(const Parsed& p, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : p.headers)
    if (n == name) out.push_back(v);
  return out;
}

std::set<std::string> placeholders_in(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::set<std::string> out;
  for (std::size_t i = text.find("${"); i != std::string::npos; i = text.find("${", i + 2)) {
    std::size_t close = text.find('}', i);
    if (close != std::string::npos) out.insert(text.substr(i, close - i + 1));
  }
  return out;
}

TEST(NotifyAlert, EveryShippedLanguageRenders) {
  for (const std::string& lang : kLangs) {
    for (NotifyTarget::Kind kind : kKinds) {
      SCOPED_TRACE(lang + "/" + notify_kind_name(kind));
      std::string path = kTemplates + "/" + lang + "/" + notify_kind_name(kind) + ".txt";
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
      std::string error;
      std::string msg =
          build_alert(kTemplates, lang, kind, "bob@example.net", sample_fields(), &error);
      ASSERT_FALSE(msg.empty()) << error;
      EXPECT_EQ(msg.find("${"), std::string::npos);
      EXPECT_EQ(msg.find('\r'), std::string::npos);
      EXPECT_EQ(msg.back(), '\n');
      Parsed p = parse(msg);
      EXPECT_EQ(header_values(p, "Subject").size(), 1u);
      EXPECT_EQ(header_values(p, "From"),
                V{"\"Mail Content Scanner\" <MAILER-DAEMON@mx.example.net>"});
      EXPECT_EQ(header_values(p, "To"), V{"bob@example.net"});
      EXPECT_EQ(header_values(p, "Date"), V{"Mon, 01 Jan 2024 12:00:00 +0000"});
      EXPECT_EQ(header_values(p, "Auto-Submitted"), V{"auto-generated"});
      EXPECT_EQ(header_values(p, "MIME-Version"), V{"1.0"});
      EXPECT_EQ(header_values(p, "Content-Type"), V{"text/plain; charset=UTF-8"});
      EXPECT_EQ(header_values(p, "Content-Transfer-Encoding"), V{"8bit"});
      ASSERT_EQ(header_values(p, "Message-ID").size(), 1u);
      EXPECT_EQ(header_values(p, "Message-ID")[0].front(), '<');
      EXPECT_EQ(header_values(p, "Message-ID")[0].back(), '>');
      // Headers are 7-bit (non-ASCII subjects are RFC 2047 encoded), lines ≤ 998 bytes.
      std::string head = msg.substr(0, msg.find("\n\n"));
      for (char c : head) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << head;
      std::istringstream all(msg);
      for (std::string line; std::getline(all, line);) EXPECT_LE(line.size(), 998u);
      // The values reached the body.
      EXPECT_NE(p.body.find("Worm.Mydoom.A"), std::string::npos);
      EXPECT_NE(p.body.find("alice@example.org"), std::string::npos);
      EXPECT_NE(p.body.find("Quarterly report"), std::string::npos);
      if (kind != NotifyTarget::kSender) {
        EXPECT_NE(p.body.find("1704110400.1234-0.mx.example.net:4711"), std::string::npos);
      }
      if (kind == NotifyTarget::kAdmin) {
        EXPECT_NE(p.body.find("clamd 1.0.5/27140"), std::string::npos);
      }
    }
  }
}

TEST(NotifyAlert, TranslationsUseTheSamePlaceholdersAsEnglish) {
  for (NotifyTarget::Kind kind : kKinds) {
    std::string file = std::string(notify_kind_name(kind)) + ".txt";
    std::set<std::string> en = placeholders_in(kTemplates + "/en/" + file);
    EXPECT_GE(en.size(), 8u);
    for (const std::string& lang : kLangs) {
      EXPECT_EQ(placeholders_in(kTemplates + "/" + lang + "/" + file), en) << lang << "/" << file;
    }
  }
}

TEST(NotifyAlert, TranslationsDiffer) {
  std::string error;
  std::set<std::string> bodies;
  for (const std::string& lang : kLangs) {
    std::string msg =
        build_alert(kTemplates, lang, NotifyTarget::kSender, "a@b.c", sample_fields(), &error);
    bodies.insert(parse(msg).body);
  }
  EXPECT_EQ(bodies.size(), kLangs.size());  // no language silently fell back to English
}

TEST(NotifyAlert, HeaderInjectionNeutralised) {
  AlertFields f = sample_fields();
  f.subject = "hello\nBcc: victim@example.com\r\nX-Evil: 1";
  f.reason = "virus\r\nCc: other@example.com";
  f.hostname = "mx.example.net\nBcc: h@example.com";
  std::string error;
  for (NotifyTarget::Kind kind : kKinds) {
    std::string msg =
        build_alert(kTemplates, "en", kind, "bob@example.net\nBcc: t@example.com", f, &error);
    ASSERT_FALSE(msg.empty()) << error;
    Parsed p = parse(msg);
    for (const auto& [name, value] : p.headers) {
      EXPECT_NE(name, "Bcc") << msg;
      EXPECT_NE(name, "Cc") << msg;
      EXPECT_NE(name, "X-Evil") << msg;
    }
    EXPECT_EQ(msg.find("\nBcc:"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\r'), std::string::npos);
    EXPECT_NE(msg.find("hello Bcc: victim@example.com"), std::string::npos) << msg;
  }
}

TEST(NotifyAlert, ValuesAreCappedAndNotReexpanded) {
  AlertFields f = sample_fields();
  f.subject = std::string(5000, 'x');
  f.description = "${SENDER} ${QUARANTINE_ID}";
  std::string error;
  std::string msg = build_alert(kTemplates, "en", NotifyTarget::kAdmin, "a@b.c", f, &error);
  ASSERT_FALSE(msg.empty()) << error;
  EXPECT_EQ(msg.find(std::string(999, 'x')), std::string::npos);
  EXPECT_NE(msg.find(std::string(998, 'x')), std::string::npos);
  EXPECT_NE(msg.find("${SENDER} ${QUARANTINE_ID}"), std::string::npos);
  std::istringstream all(msg);
  for (std::string line; std::getline(all, line);) EXPECT_LE(line.size(), 998u);
}

TEST(NotifyAlert, NonAsciiSubjectIsEncoded) {
  AlertFields f = sample_fields();
  f.subject = "Grüße aus Köln — Übersicht";
  std::string error;
  std::string msg = build_alert(kTemplates, "de", NotifyTarget::kSender, "a@b.c", f, &error);
  ASSERT_FALSE(msg.empty()) << error;
  Parsed p = parse(msg);
  ASSERT_EQ(header_values(p, "Subject").size(), 1u);
  EXPECT_EQ(header_values(p, "Subject")[0].rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(p.body.find("Grüße aus Köln"), std::string::npos);  // 8-bit body kept as is
}

TEST(NotifyAlert, UnknownLanguageFallsBackToEnglish) {
  std::string error;
  std::string en = build_alert(kTemplates, "en", NotifyTarget::kRecipient, "bob@example.net",
                               sample_fields(), &error);
  ASSERT_FALSE(en.empty()) << error;
  for (const char* lang : {"xx", "", "../en", "en/../../etc", "sv"}) {
    std::string msg = build_alert(kTemplates, lang, NotifyTarget::kRecipient, "bob@example.net",
                                  sample_fields(), &error);
    EXPECT_EQ(msg, en) << lang;
  }
}

TEST(NotifyAlert, MissingFileInLanguageFallsBackToEnglish) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "qscan_notify_fb";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "en");
  std::filesystem::create_directories(dir / "zz");
  std::filesystem::copy_file(kTemplates + "/en/admin.txt", dir / "en" / "admin.txt");
  { std::ofstream(dir / "zz" / "sender.txt") << "Subject: zz ${REASON}\n\nzz body ${SENDER}\n"; }
  std::string error;
  std::string zz =
      build_alert(dir.string(), "zz", NotifyTarget::kSender, "a@b.c", sample_fields(), &error);
  ASSERT_FALSE(zz.empty()) << error;
  EXPECT_NE(zz.find("Subject: zz virus: Worm.Mydoom.A\n"), std::string::npos) << zz;
  EXPECT_NE(zz.find("\n\nzz body alice@example.org\n"), std::string::npos) << zz;

  std::string admin =
      build_alert(dir.string(), "zz", NotifyTarget::kAdmin, "a@b.c", sample_fields(), &error);
  ASSERT_FALSE(admin.empty()) << error;
  EXPECT_NE(admin.find("Subject: [qscan] Quarantined:"), std::string::npos);

  // Neither zz/recipient.txt nor en/recipient.txt: an error, no message.
  error.clear();
  EXPECT_EQ(
      build_alert(dir.string(), "zz", NotifyTarget::kRecipient, "a@b.c", sample_fields(), &error),
      "");
  EXPECT_NE(error.find("recipient.txt"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

TEST(NotifyAlert, TemplateHeadersAndCrlf) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "qscan_notify_hdr";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "en");
  {
    std::ofstream(dir / "en" / "sender.txt", std::ios::binary)
        << "From: Virus Desk <virusdesk@${HOSTNAME}>\r\n"
           "Subject: blocked:\r\n ${SUBJECT}\r\n"
           "To: someone-else@example.com\r\n"
           "Auto-Submitted: no\r\n"
           "X-Qscan-Reason: ${REASON}\r\n"
           "\r\n"
           "body\r\n";
  }
  std::string error;
  std::string msg =
      build_alert(dir.string(), "en", NotifyTarget::kSender, "a@b.c", sample_fields(), &error);
  ASSERT_FALSE(msg.empty()) << error;
  Parsed p = parse(msg);
  EXPECT_EQ(header_values(p, "From"), V{"Virus Desk <virusdesk@mx.example.net>"});
  EXPECT_EQ(header_values(p, "To"), V{"a@b.c"});
  EXPECT_EQ(header_values(p, "Subject"), V{"blocked: Quarterly report"});
  EXPECT_EQ(header_values(p, "Auto-Submitted"), V{"auto-generated"});
  EXPECT_EQ(header_values(p, "X-Qscan-Reason"), V{"virus: Worm.Mydoom.A"});
  EXPECT_EQ(p.body, "body\n");
  EXPECT_EQ(msg.find('\r'), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(NotifyAlert, MalformedTemplateIsAnError) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "qscan_notify_bad";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "en");
  { std::ofstream(dir / "en" / "sender.txt") << "X-Header: no subject\n\nbody\n"; }
  { std::ofstream(dir / "en" / "admin.txt") << "Subject: no blank line, no body\n"; }
  std::string error;
  EXPECT_EQ(
      build_alert(dir.string(), "en", NotifyTarget::kSender, "a@b.c", sample_fields(), &error), "");
  EXPECT_NE(error.find("Subject"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(build_alert(dir.string(), "en", NotifyTarget::kAdmin, "a@b.c", sample_fields(), &error),
            "");
  EXPECT_FALSE(error.empty());
  std::filesystem::remove_all(dir);
}

TEST(NotifyAlert, MissingDirectoryIsAnError) {
  std::string error;
  EXPECT_EQ(build_alert("/nonexistent/qscan/templates", "de", NotifyTarget::kAdmin, "a@b.c",
                        sample_fields(), &error),
            "");
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("/nonexistent/qscan/templates"), std::string::npos) << error;
  // A null error pointer is allowed.
  EXPECT_EQ(
      build_alert("/nonexistent", "en", NotifyTarget::kAdmin, "a@b.c", sample_fields(), nullptr),
      "");
}

TEST(NotifyAlert, EmptyRecipientIsAnError) {
  std::string error;
  EXPECT_EQ(build_alert(kTemplates, "en", NotifyTarget::kAdmin, "  ", sample_fields(), &error), "");
  EXPECT_FALSE(error.empty());
}

TEST(NotifyAlert, MessageIdsDifferPerKindAndRecipient) {
  std::set<std::string> ids;
  std::string error;
  for (NotifyTarget::Kind kind : kKinds) {
    for (const char* to : {"a@b.c", "d@e.f"}) {
      Parsed p = parse(build_alert(kTemplates, "en", kind, to, sample_fields(), &error));
      V id = header_values(p, "Message-ID");
      ASSERT_EQ(id.size(), 1u);
      EXPECT_EQ(id[0].find(':'), std::string::npos) << id[0];  // quarantine id sanitised
      EXPECT_NE(id[0].find("@mx.example.net>"), std::string::npos) << id[0];
      ids.insert(id[0]);
    }
  }
  EXPECT_EQ(ids.size(), 6u);
}

TEST(NotifyAlert, EmptyDateUsesNowAndEmptySenderShowsBounce) {
  AlertFields f = sample_fields();
  f.date = "";
  f.sender = "";
  std::string error;
  std::string msg = build_alert(kTemplates, "en", NotifyTarget::kAdmin, "a@b.c", f, &error);
  ASSERT_FALSE(msg.empty()) << error;
  Parsed p = parse(msg);
  V date = header_values(p, "Date");
  ASSERT_EQ(date.size(), 1u);
  EXPECT_NE(date[0].find(" +0000"), std::string::npos) << date[0];
  EXPECT_EQ(date[0][3], ',') << date[0];
  EXPECT_NE(p.body.find("From:        <>"), std::string::npos) << p.body;
}

}  // namespace
}  // namespace qscan::policy
