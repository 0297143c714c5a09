#include "tools/stats_command.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "policy/config.h"
#include "tools/json_text.h"
#include "tools/mail_stats.h"
#include "tools/svg_chart.h"

namespace qscan::tools {
namespace {

int usage() {
  std::cerr << "usage: qscan stats [--since DURATION] [--log FILE] [--syslog FILE] [--svg DIR]\n"
               "                   [--json] [--now EPOCH]\n"
               "  DURATION: 90m, 36h, 7d, 2w; default: the whole log\n"
               "  default log: <spool_dir>/mailstats.csv\n";
  return 2;
}

const char* color_of(MailClass c) {
  switch (c) {
    case MailClass::kClean:
      return "#2ca02c";
    case MailClass::kVirus:
      return "#d62728";
    case MailClass::kPolicy:
      return "#ff7f0e";
    case MailClass::kSpam:
      return "#9467bd";
    case MailClass::kGreylist:
      return "#8c564b";
    case MailClass::kDlp:
      return "#e377c2";
    case MailClass::kDeferred:
      return "#1f77b4";
  }
  return "#000000";
}

struct Source {
  std::string path;
  bool syslog = false;
};

// Reads one file's records; false (with a message on stderr) when it cannot be read.
bool read_source(const Source& src, std::time_t now, std::vector<StatsLine>& out,
                 std::uint64_t* skipped) {
  std::ifstream in(src.path, std::ios::binary);
  if (!in) {
    std::cerr << "qscan stats: cannot read " << src.path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  SyslogReader reader(now);
  std::string line;
  while (std::getline(in, line)) {
    if (src.syslog) {
      if (auto r = reader.add(line)) out.push_back(*r);
      continue;  // other programs' lines are not "skipped"
    }
    if (line.empty()) continue;
    if (auto r = parse_mailstats_line(line))
      out.push_back(*r);
    else
      ++*skipped;
  }
  if (in.bad()) {
    std::cerr << "qscan stats: error reading " << src.path << "\n";
    return false;
  }
  return true;
}

void print_table(const char* heading, const std::vector<Bucket>& buckets, std::size_t width) {
  std::printf("\n%-*s %7s", static_cast<int>(width), heading, "total");
  for (MailClass c : all_mail_classes()) std::printf(" %8s", mail_class_name(c));
  std::printf(" %8s %8s\n", "incoming", "relay");
  for (const Bucket& b : buckets) {
    std::printf("%-*s %7llu", static_cast<int>(width), b.label.c_str(),
                static_cast<unsigned long long>(b.counts.total));
    for (MailClass c : all_mail_classes())
      std::printf(" %8llu", static_cast<unsigned long long>(b.counts.of(c)));
    std::printf(" %8llu %8llu\n", static_cast<unsigned long long>(b.counts.incoming),
                static_cast<unsigned long long>(b.counts.relay_client));
  }
}

std::string counts_json(const Counts& c) {
  std::string j = "\"total\":" + std::to_string(c.total);
  for (MailClass m : all_mail_classes())
    j += ",\"" + std::string(mail_class_name(m)) + "\":" + std::to_string(c.of(m));
  j += ",\"incoming\":" + std::to_string(c.incoming) +
       ",\"relay_client\":" + std::to_string(c.relay_client);
  return j;
}

std::string buckets_json(const std::vector<Bucket>& buckets) {
  std::string j = "[";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (i) j += ",";
    j += "{\"start\":" + json_string(buckets[i].label) +
         ",\"epoch\":" + std::to_string(static_cast<long long>(buckets[i].start)) + "," +
         counts_json(buckets[i].counts) + "}";
  }
  return j + "]";
}

LineChart make_chart(const std::string& title, const std::vector<Bucket>& buckets, bool hourly) {
  LineChart chart;
  chart.title = title;
  chart.y_label = "log lines (one per recipient)";
  for (const Bucket& b : buckets)
    chart.x_labels.push_back(hourly ? b.label.substr(5) : b.label);  // "05-01 13:00"
  for (MailClass c : all_mail_classes()) {
    ChartSeries s;
    s.name = mail_class_name(c);
    s.color = color_of(c);
    for (const Bucket& b : buckets) s.values.push_back(static_cast<double>(b.counts.of(c)));
    chart.series.push_back(std::move(s));
  }
  return chart;
}

bool write_text(const std::filesystem::path& path, const std::string& text) {
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::cerr << "qscan stats: cannot write " << tmp << ": " << std::strerror(errno) << "\n";
      ::unlink(tmp.c_str());
      return false;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::cerr << "qscan stats: cannot rename " << tmp << ": " << std::strerror(errno) << "\n";
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int stats_command(const std::vector<std::string>& args, const std::string& config_path) {
  std::optional<std::int64_t> since;
  std::vector<Source> sources;
  std::string svg_dir;
  bool json = false;
  std::time_t now = std::time(nullptr);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--since" && has_value) {
      since = parse_duration(args[++i]);
      if (!since) {
        std::cerr << "qscan stats: bad duration " << args[i] << "\n";
        return usage();
      }
    } else if (a == "--log" && has_value) {
      sources.push_back({args[++i], false});
    } else if (a == "--syslog" && has_value) {
      sources.push_back({args[++i], true});
    } else if (a == "--svg" && has_value) {
      svg_dir = args[++i];
    } else if (a == "--now" && has_value) {
      long long v = 0;
      const std::string& t = args[++i];
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || end != t.data() + t.size()) return usage();
      now = static_cast<std::time_t>(v);
    } else if (a == "--json") {
      json = true;
    } else {
      return usage();
    }
  }
  if (sources.empty()) {
    policy::ConfigError cerr;
    auto config = policy::load_config(config_path, &cerr);
    if (!config) {
      std::cerr << "qscan stats: " << cerr.to_string() << "\n";
      return 1;
    }
    sources.push_back({config->spool_dir + "/mailstats.csv", false});
  }

  std::vector<StatsLine> lines;
  std::uint64_t skipped = 0;
  for (const Source& s : sources)
    if (!read_source(s, now, lines, &skipped)) return 1;
  const std::optional<std::time_t> from =
      since ? std::optional<std::time_t>(now - static_cast<std::time_t>(*since)) : std::nullopt;
  const Stats st = aggregate(lines, from);

  if (!svg_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(svg_dir, ec);
    if (ec) {
      std::cerr << "qscan stats: cannot create " << svg_dir << ": " << ec.message() << "\n";
      return 1;
    }
    const std::filesystem::path dir(svg_dir);
    if (!write_text(dir / "per-hour.svg",
                    render_svg(make_chart("qscan: messages per hour", st.hourly, true))) ||
        !write_text(dir / "per-day.svg",
                    render_svg(make_chart("qscan: messages per day", st.daily, false))))
      return 1;
  }

  std::string names;
  for (const Source& s : sources) names += (names.empty() ? "" : ", ") + s.path;
  if (json) {
    std::string src = "[";
    for (std::size_t i = 0; i < sources.size(); ++i)
      src += (i ? "," : "") + json_string(sources[i].path);
    src += "]";
    std::printf(
        "{\"sources\":%s,\"records\":%llu,\"skipped\":%llu,\"totals\":{%s},"
        "\"per_day\":%s,\"per_hour\":%s}\n",
        src.c_str(), static_cast<unsigned long long>(st.totals.total),
        static_cast<unsigned long long>(skipped), counts_json(st.totals).c_str(),
        buckets_json(st.daily).c_str(), buckets_json(st.hourly).c_str());
    return 0;
  }
  std::printf("qscan stats: %llu log lines from %s",
              static_cast<unsigned long long>(st.totals.total), names.c_str());
  if (skipped)
    std::printf(" (%llu unreadable lines skipped)", static_cast<unsigned long long>(skipped));
  std::printf("\n");
  if (st.totals.total == 0) {
    std::printf("no log lines in the period\n");
    return 0;
  }
  std::printf("totals: %llu", static_cast<unsigned long long>(st.totals.total));
  for (MailClass c : all_mail_classes())
    std::printf(", %s %llu", mail_class_name(c), static_cast<unsigned long long>(st.totals.of(c)));
  std::printf("; incoming %llu, relay-client %llu\n",
              static_cast<unsigned long long>(st.totals.incoming),
              static_cast<unsigned long long>(st.totals.relay_client));
  print_table("day", st.daily, 10);
  print_table("hour", st.hourly, 16);
  if (!svg_dir.empty())
    std::printf("\ncharts: %s/per-hour.svg, %s/per-day.svg\n", svg_dir.c_str(), svg_dir.c_str());
  return 0;
}

}  // namespace qscan::tools
