// qscan stats: classification, mailstats.csv and syslog parsing, aggregation against a log
// with known numbers, and the SVG charts rendered to PNG by rsvg-convert.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "supervisor/log_lines.h"
#include "tools/mail_stats.h"
#include "tools/stats_command.h"
#include "tools/svg_chart.h"

namespace qscan::tools {
namespace {

namespace fs = std::filesystem;

// Every test runs in UTC so that local-time buckets are predictable.
class UtcEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};
[[maybe_unused]] const auto* const kUtc = ::testing::AddGlobalTestEnvironment(new UtcEnvironment);

constexpr std::time_t kMay1 = 1714521600;  // 2024-05-01 00:00:00 UTC
constexpr std::time_t kHour = 3600;
constexpr std::time_t kDay = 86400;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "qscan-ops-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

bool have(const std::string& program) {
  int st = 0;
  run("command -v " + program + " >/dev/null 2>&1", &st);
  return st == 0;
}

std::string line(std::time_t when, const std::string& status, const std::string& rcpt = "b@y.z") {
  supervisor::LogRecord r;
  r.when = when;
  r.status = status;
  r.seconds = 0.25;
  r.size = 1234;
  r.sender = "a@x.y";
  r.recipient = rcpt;
  r.subject = "Hello there";
  r.message_id = "<1@x.y>";
  r.attachments = {{"text.txt", 10}};
  return supervisor::mailstats_line(r);
}

// The generated log: 20 records over three days (the middle one empty) plus one garbled line.
//   May 1 09h: 5 clean incoming, 2 clean relay-client
//   May 1 10h: 3 virus incoming
//   May 1 13h: 1 policy relay, 2 spam-tagged (Clear, SA:1) incoming, 1 DLP relay
//   May 3 00h: 4 spam quarantined incoming, 1 deferred (scanner-unavailable) incoming,
//              1 malformed (policy) incoming
std::string generated_log() {
  std::string log;
  const std::time_t h9 = kMay1 + 9 * kHour;
  for (int i = 0; i < 5; ++i) log += line(h9 + i * 60, "Clear:RC:0(192.0.2.1):");
  for (int i = 0; i < 2; ++i) log += line(h9 + 600 + i, "Clear:RC:1(10.0.0.5):");
  for (int i = 0; i < 3; ++i)
    log += line(kMay1 + 10 * kHour + i,
                "virus:Eicar-Test-Signature:RC:0(198.51.100.7):", "r" + std::to_string(i) + "@y.z");
  const std::time_t h13 = kMay1 + 13 * kHour + 59 * 60;
  log += line(h13, "policy:.exe File attachments not allowed:RC:1(10.0.0.5):");
  log += line(h13, "Clear:RC:0(192.0.2.9):SA:1(9.1/5.0):");
  log += line(h13, "Clear:RC:0(192.0.2.9):SA:1(12.0/5.0):CR:PGP(signed):");
  log += line(h13, "Clear:RC:1(10.0.0.6):DLP:Sensitive.CreditCard:");
  log += "garbled line without a date\n";
  const std::time_t may3 = kMay1 + 2 * kDay;
  for (int i = 0; i < 4; ++i) log += line(may3 + i, "spam:RC:0(203.0.113.4):SA:1(25.0/5.0):");
  log += line(may3 + 10, "scanner-unavailable:RC:0(203.0.113.5):");
  log += line(may3 + 20, "malformed:header_comment:RC:0(203.0.113.6):");
  return log;
}

std::string stats_json(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int rc = stats_command(args, "");
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 0) << err;
  return out;
}

TEST(MailStats, ClassifiesStatusStrings) {
  Origin o = Origin::kUnknown;
  EXPECT_EQ(classify_status("Clear:RC:0(1.2.3.4):SA:0(1.0/5.0):", &o), MailClass::kClean);
  EXPECT_EQ(o, Origin::kIncoming);
  EXPECT_EQ(classify_status("Clear:RC:1(127.0.0.1):", &o), MailClass::kClean);
  EXPECT_EQ(o, Origin::kRelayClient);
  EXPECT_EQ(classify_status("Clear:RC:0(1.2.3.4):SA:1(7.5/5.0):", &o), MailClass::kSpam);
  EXPECT_EQ(classify_status("Clear:RC:0(1.2.3.4):DLP:Confidential:", &o), MailClass::kDlp);
  EXPECT_EQ(classify_status("virus:Eicar-Test-Signature:RC:0(1.2.3.4):", &o), MailClass::kVirus);
  EXPECT_EQ(classify_status("policy:Love Letter Virus/Trojan:RC:1(10.1.1.1):", &o),
            MailClass::kPolicy);
  EXPECT_EQ(o, Origin::kRelayClient);
  EXPECT_EQ(classify_status("malformed:long_boundary:RC:0(1.2.3.4):"), MailClass::kPolicy);
  EXPECT_EQ(classify_status("decoder-failure:RC:0(1.2.3.4):"), MailClass::kPolicy);
  EXPECT_EQ(classify_status("spam:RC:0(1.2.3.4):SA:1(30.0/5.0):"), MailClass::kSpam);
  EXPECT_EQ(classify_status("spam:deleted:RC:0(1.2.3.4):SA:1(30.0/5.0):"), MailClass::kSpam);
  EXPECT_EQ(classify_status("scanner-unavailable:RC:0(1.2.3.4):"), MailClass::kDeferred);
  EXPECT_EQ(classify_status("spam-scanner-unavailable:RC:0(1.2.3.4):SA:0(?/?):"),
            MailClass::kDeferred);
  EXPECT_EQ(classify_status("greylist:Outbreak:RC:0(1.2.3.4):"), MailClass::kGreylist);
  // A virus name that itself holds "RC" does not confuse the origin.
  EXPECT_EQ(classify_status("virus:Win.RC.Worm:RC:1(10.0.0.1):", &o), MailClass::kVirus);
  EXPECT_EQ(o, Origin::kRelayClient);
  EXPECT_EQ(classify_status("Clear", &o), MailClass::kClean);
  EXPECT_EQ(o, Origin::kUnknown);
}

TEST(MailStats, ParsesMailstatsLinesWrittenBySupervisor) {
  const auto l = parse_mailstats_line(line(kMay1 + 9 * kHour + 61, "Clear:RC:0(1.2.3.4):"));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->when, kMay1 + 9 * kHour + 61);
  EXPECT_EQ(l->mail_class, MailClass::kClean);
  EXPECT_EQ(l->origin, Origin::kIncoming);
  EXPECT_FALSE(parse_mailstats_line(""));
  EXPECT_FALSE(parse_mailstats_line("31/13/2024 10:00:00\tClear:RC:0(1.2.3.4):"));
  EXPECT_FALSE(parse_mailstats_line("01/05/2024 10:00:00 Clear:RC:0(1.2.3.4):"));
  EXPECT_FALSE(parse_mailstats_line("01/05/2024 10:00:00\t\t0.1"));
}

TEST(MailStats, ParsesDurations) {
  EXPECT_EQ(parse_duration("7d"), 7 * kDay);
  EXPECT_EQ(parse_duration("36h"), 36 * kHour);
  EXPECT_EQ(parse_duration("90m"), 90 * 60);
  EXPECT_EQ(parse_duration("2w"), 14 * kDay);
  EXPECT_EQ(parse_duration("3600"), 3600);
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("d"));
  EXPECT_FALSE(parse_duration("-1d"));
  EXPECT_FALSE(parse_duration("7x"));
}

TEST(MailStats, AggregatesKnownNumbers) {
  std::vector<StatsLine> lines;
  std::istringstream in(generated_log());
  std::string l;
  int skipped = 0;
  while (std::getline(in, l)) {
    if (auto r = parse_mailstats_line(l))
      lines.push_back(*r);
    else
      ++skipped;
  }
  EXPECT_EQ(skipped, 1);
  const Stats s = aggregate(lines, std::nullopt);
  EXPECT_EQ(s.totals.total, 20u);
  EXPECT_EQ(s.totals.of(MailClass::kClean), 7u);
  EXPECT_EQ(s.totals.of(MailClass::kVirus), 3u);
  EXPECT_EQ(s.totals.of(MailClass::kPolicy), 2u);
  EXPECT_EQ(s.totals.of(MailClass::kSpam), 6u);
  EXPECT_EQ(s.totals.of(MailClass::kGreylist), 0u);
  EXPECT_EQ(s.totals.of(MailClass::kDlp), 1u);
  EXPECT_EQ(s.totals.of(MailClass::kDeferred), 1u);
  EXPECT_EQ(s.totals.incoming, 16u);
  EXPECT_EQ(s.totals.relay_client, 4u);

  ASSERT_EQ(s.daily.size(), 3u);  // May 2 is there, with zeros
  EXPECT_EQ(s.daily[0].label, "2024-05-01");
  EXPECT_EQ(s.daily[0].counts.total, 14u);
  EXPECT_EQ(s.daily[1].label, "2024-05-02");
  EXPECT_EQ(s.daily[1].counts, Counts{});
  EXPECT_EQ(s.daily[2].counts.total, 6u);
  EXPECT_EQ(s.daily[2].counts.of(MailClass::kSpam), 4u);

  // 09:00 on May 1 to 00:00 on May 3: 15 + 24 + 1 hours.
  ASSERT_EQ(s.hourly.size(), 40u);
  EXPECT_EQ(s.hourly[0].label, "2024-05-01 09:00");
  EXPECT_EQ(s.hourly[0].counts.of(MailClass::kClean), 7u);
  EXPECT_EQ(s.hourly[0].counts.relay_client, 2u);
  EXPECT_EQ(s.hourly[1].counts.of(MailClass::kVirus), 3u);
  EXPECT_EQ(s.hourly[2].counts.total, 0u);
  EXPECT_EQ(s.hourly[4].label, "2024-05-01 13:00");
  EXPECT_EQ(s.hourly[4].counts.total, 4u);
  EXPECT_EQ(s.hourly[4].counts.of(MailClass::kDlp), 1u);
  EXPECT_EQ(s.hourly.back().label, "2024-05-03 00:00");
  EXPECT_EQ(s.hourly.back().counts.total, 6u);
  for (std::size_t i = 1; i < s.hourly.size(); ++i)
    EXPECT_EQ(s.hourly[i].start - s.hourly[i - 1].start, kHour);

  // Since May 2 12:00: only May 3.
  const Stats recent = aggregate(lines, kMay1 + kDay + 12 * kHour);
  EXPECT_EQ(recent.totals.total, 6u);
  EXPECT_EQ(recent.daily.size(), 1u);
  EXPECT_EQ(recent.hourly.size(), 1u);
  EXPECT_TRUE(aggregate({}, std::nullopt).hourly.empty());
}

TEST(MailStats, ReadsSyslogLinesAndQscanEvents) {
  const std::time_t now = kMay1 + 2 * kDay + 12 * kHour;  // May 3 12:00
  SyslogReader reader(now);
  const std::vector<std::string> log = {
      "May  3 10:00:01 mx qmail-scanner[100]: Clear:RC:0(1.2.3.4): 0.030769 11569 a@x b@y Hi "
      "<id@x> 1.txt:10",
      "May  3 10:00:02 mx qmail-scanner[101]: greylisted (policy:Outbreak): Outbreak (Subject:)",
      "May  3 10:00:02 mx qmail-scanner[101]: policy:Outbreak:RC:0(5.6.7.8): 0.1 100 a@x b@y "
      "Win <> ",
      "May  3 10:00:03 mx qmail-scanner[101]: policy:Outbreak:RC:0(5.6.7.8): 0.1 100 a@x c@y "
      "Win <> ",
      "May  3 10:05:00 mx qmail-scanner[102]: deferred (scanner-unavailable): clamd: refused",
      "May  3 10:05:00 mx qmail-scanner[102]: scanner-unavailable:RC:1(10.0.0.2): 0.2 50 a@x "
      "b@y <> <>",
      "May  3 10:06:00 mx qmail-scanner[50]: deferred a message: waited over max_wait_ms",
      "May  3 10:07:00 mx qmail-scanner[101]: policy:Other:RC:0(5.6.7.8): 0.1 100 a@x b@y <> <>",
      "May  3 10:08:00 mx postfix/smtpd[3]: connect from unknown[1.2.3.4]",
      "May  3 10:08:30 mx qmail-scanner[104]: qscand started: 3 signatures",
      "2024-05-03T10:09:00.123456+02:00 mx qmail-scanner[103]: "
      "virus:Eicar-Test-Signature:RC:0(1.1.1.1): 0.3 70 a@x b@y <> <>",
  };
  std::vector<StatsLine> lines;
  for (const auto& l : log)
    if (auto r = reader.add(l)) lines.push_back(*r);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0].when, kMay1 + 2 * kDay + 10 * kHour + 1);
  EXPECT_EQ(lines[0].mail_class, MailClass::kClean);
  EXPECT_EQ(lines[1].mail_class, MailClass::kGreylist);
  EXPECT_EQ(lines[2].mail_class, MailClass::kGreylist);
  EXPECT_EQ(lines[3].mail_class, MailClass::kDeferred);
  EXPECT_EQ(lines[3].origin, Origin::kRelayClient);
  EXPECT_EQ(lines[4].mail_class, MailClass::kDeferred);
  EXPECT_EQ(lines[4].origin, Origin::kUnknown);
  EXPECT_EQ(lines[5].mail_class, MailClass::kPolicy);  // same pid, minutes later
  EXPECT_EQ(lines[6].mail_class, MailClass::kVirus);
  EXPECT_EQ(lines[6].when, kMay1 + 2 * kDay + 8 * kHour + 9 * 60);  // +02:00
  // A December line read in January is last year's.
  const auto dec = parse_syslog_time("Dec 31 23:59:59 mx x", kMay1);
  ASSERT_TRUE(dec);
  EXPECT_EQ(*dec, kMay1 - (31 + 29 + 31 + 30) * kDay - 1);
}

TEST(StatsCommand, CountsGeneratedMailstatsFile) {
  TempDir dir;
  const fs::path log = dir.path() / "mailstats.csv";
  std::ofstream(log) << generated_log();
  const std::string out = stats_json({"--log", log.string(), "--json"});
  EXPECT_NE(out.find("\"records\":20,\"skipped\":1,\"totals\":{\"total\":20,\"clean\":7,"
                     "\"virus\":3,\"policy\":2,\"spam\":6,\"greylist\":0,\"dlp\":1,"
                     "\"deferred\":1,\"incoming\":16,\"relay_client\":4}"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("{\"start\":\"2024-05-02\",\"epoch\":1714608000,\"total\":0,"),
            std::string::npos)
      << out;

  const std::string recent = stats_json({"--log", log.string(), "--json", "--since", "36h", "--now",
                                         std::to_string(kMay1 + 2 * kDay + 12 * kHour)});
  EXPECT_NE(recent.find("\"totals\":{\"total\":6,"), std::string::npos) << recent;

  const std::string text = stats_json({"--log", log.string()});
  EXPECT_NE(text.find("totals: 20, clean 7, virus 3, policy 2, spam 6, greylist 0, dlp 1, "
                      "deferred 1; incoming 16, relay-client 4"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2024-05-01 13:00"), std::string::npos) << text;

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(stats_command({"--log", (dir.path() / "missing.csv").string()}, ""), 1);
  EXPECT_EQ(stats_command({"--since", "soon"}, ""), 2);
  ::testing::internal::GetCapturedStderr();
}

TEST(StatsCommand, DefaultLogIsInTheConfiguredSpool) {
  TempDir dir;
  std::ofstream(dir.path() / "mailstats.csv") << generated_log();
  const fs::path cfg = dir.path() / "qscan.toml";
  std::ofstream(cfg) << "spool_dir = \"" << dir.path().string() << "\"\n";
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(stats_command({"--json"}, cfg.string()), 0);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("\"totals\":{\"total\":20,"), std::string::npos) << out;
}

TEST(SvgChart, NiceScalesAndEscaping) {
  EXPECT_EQ(y_scale(0).max, 1);
  EXPECT_EQ(y_scale(7).max, 8);
  EXPECT_EQ(y_scale(7).step, 2);
  EXPECT_EQ(y_scale(97).max, 100);
  EXPECT_EQ(y_scale(97).step, 20);
  EXPECT_EQ(y_scale(1234).max, 1500);
  EXPECT_EQ(xml_escape("a<b>&\"c'\x01"), "a&lt;b&gt;&amp;&quot;c&apos;");
  LineChart c;
  c.title = "<t>";
  c.x_labels = {"a", "b"};
  c.series = {{"s&1", "#ff0000", {1, 2}}};
  const std::string svg = render_svg(c);
  EXPECT_NE(svg.find("&lt;t&gt;"), std::string::npos);
  EXPECT_NE(svg.find("s&amp;1"), std::string::npos);
  EXPECT_EQ(svg.find("<t>"), std::string::npos);
}

struct Png {
  unsigned width = 0, height = 0;
};

Png png_size(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  unsigned char h[24] = {};
  in.read(reinterpret_cast<char*>(h), sizeof h);
  Png out;
  if (std::string(reinterpret_cast<char*>(h + 12), 4) != "IHDR") return out;
  out.width = (h[16] << 24) | (h[17] << 16) | (h[18] << 8) | h[19];
  out.height = (h[20] << 24) | (h[21] << 16) | (h[22] << 8) | h[23];
  return out;
}

// Coloured pixels inside the plot rectangle (inset by 3 pixels to leave out the axes).
long plot_pixels(const fs::path& png, const PlotArea& a) {
  int st = 0;
  const std::string out =
      run("python3 " + std::string(QSCAN_SOURCE_DIR) + "/tests/ops/png_plot_pixels.py " +
              png.string() + " " + std::to_string(static_cast<int>(a.left) + 3) + " " +
              std::to_string(static_cast<int>(a.top)) + " " +
              std::to_string(static_cast<int>(a.width) - 3) + " " +
              std::to_string(static_cast<int>(a.height) - 3),
          &st);
  EXPECT_EQ(st, 0) << out;
  return std::strtol(out.c_str(), nullptr, 10);
}

fs::path to_png(const fs::path& svg) {
  const fs::path png = fs::path(svg).replace_extension(".png");
  int st = 0;
  const std::string out =
      run("rsvg-convert -f png -o " + png.string() + " " + svg.string() + " 2>&1", &st);
  EXPECT_EQ(st, 0) << out;
  return png;
}

TEST(SvgChart, RendersToPngWithAVisiblePlot) {
  if (!have("rsvg-convert") || !have("python3"))
    GTEST_SKIP() << "rsvg-convert (librsvg2-bin) or python3 not installed";
  TempDir dir;
  const fs::path log = dir.path() / "mailstats.csv";
  std::ofstream(log) << generated_log();
  const fs::path charts = dir.path() / "charts";
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(stats_command({"--log", log.string(), "--svg", charts.string()}, ""), 0);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("per-hour.svg"), std::string::npos);

  LineChart defaults;
  const PlotArea area = plot_area(defaults);
  for (const char* name : {"per-hour.svg", "per-day.svg"}) {
    SCOPED_TRACE(name);
    const fs::path svg = charts / name;
    ASSERT_TRUE(fs::exists(svg));
    std::ifstream in(svg);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t polylines = 0;
    for (std::size_t p = text.find("<polyline fill=\"none\" stroke=\"#"); p != std::string::npos;
         p = text.find("<polyline fill=\"none\" stroke=\"#", p + 1))
      ++polylines;
    EXPECT_EQ(polylines, kMailClassCount);  // one per class
    for (MailClass c : all_mail_classes())
      EXPECT_NE(text.find(std::string(">") + mail_class_name(c) + "</text>"), std::string::npos);
    const fs::path png = to_png(svg);
    const Png size = png_size(png);
    EXPECT_EQ(size.width, static_cast<unsigned>(defaults.width));
    EXPECT_EQ(size.height, static_cast<unsigned>(defaults.height));
    EXPECT_GT(plot_pixels(png, area), 300);
  }

  // The same chart without data: axes, grid and legend only, nothing coloured in the plot.
  LineChart empty;
  empty.title = "empty";
  empty.x_labels = {"2024-05-01", "2024-05-02", "2024-05-03"};
  for (MailClass c : all_mail_classes())
    empty.series.push_back({mail_class_name(c), "#d62728", {}});
  const fs::path svg = dir.path() / "empty.svg";
  std::ofstream(svg) << render_svg(empty);
  const fs::path png = to_png(svg);
  EXPECT_EQ(png_size(png).width, static_cast<unsigned>(empty.width));
  EXPECT_EQ(plot_pixels(png, plot_area(empty)), 0);
}

}  // namespace
}  // namespace qscan::tools
