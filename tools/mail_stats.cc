#include "tools/mail_stats.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace qscan::tools {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Parses exactly `n` digits at `pos`; advances pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool valid_fields(const std::tm& tm) {
  return tm.tm_mon >= 0 && tm.tm_mon < 12 && tm.tm_mday >= 1 && tm.tm_mday <= 31 &&
         tm.tm_hour >= 0 && tm.tm_hour < 24 && tm.tm_min >= 0 && tm.tm_min < 60 && tm.tm_sec >= 0 &&
         tm.tm_sec <= 60;
}

std::time_t local_time(std::tm tm) {
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::time_t hour_start(std::time_t t) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  tm.tm_min = 0;
  tm.tm_sec = 0;
  return local_time(tm);
}

std::time_t day_start(std::time_t t) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  tm.tm_hour = 0;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  return local_time(tm);
}

std::time_t next_day(std::time_t day) {
  std::tm tm{};
  ::localtime_r(&day, &tm);
  tm.tm_mday += 1;
  tm.tm_hour = 0;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  return local_time(tm);
}

std::string format_local(std::time_t t, const char* fmt) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

// Event texts qscan logs for a message before its per-recipient status lines.
std::optional<MailClass> event_class(std::string_view text) {
  if (starts_with(text, "greylisted (")) return MailClass::kGreylist;
  if (starts_with(text, "deferred (") || starts_with(text, "qmail-queue failed, message deferred"))
    return MailClass::kDeferred;
  return std::nullopt;
}

// A status string is one token whose components include "RC:0(" or "RC:1(".
bool looks_like_status(std::string_view token) {
  return token.find("RC:0(") != std::string_view::npos ||
         token.find("RC:1(") != std::string_view::npos;
}

}  // namespace

const char* mail_class_name(MailClass c) {
  switch (c) {
    case MailClass::kClean:
      return "clean";
    case MailClass::kVirus:
      return "virus";
    case MailClass::kPolicy:
      return "policy";
    case MailClass::kSpam:
      return "spam";
    case MailClass::kGreylist:
      return "greylist";
    case MailClass::kDlp:
      return "dlp";
    case MailClass::kDeferred:
      return "deferred";
  }
  return "?";
}

const std::array<MailClass, kMailClassCount>& all_mail_classes() {
  static const std::array<MailClass, kMailClassCount> k = {
      MailClass::kClean,    MailClass::kVirus, MailClass::kPolicy,  MailClass::kSpam,
      MailClass::kGreylist, MailClass::kDlp,   MailClass::kDeferred};
  return k;
}

MailClass classify_status(std::string_view status, Origin* origin) {
  // The verdict itself may hold colons ("virus:Name"), so the RC component is searched
  // from the left: it is the first component qscan writes after the verdict.
  std::size_t rc = std::string_view::npos;
  for (std::size_t p = status.find("RC:"); p != std::string_view::npos;
       p = status.find("RC:", p + 1)) {
    if ((p == 0 || status[p - 1] == ':') && p + 3 < status.size() &&
        (status[p + 3] == '0' || status[p + 3] == '1')) {
      rc = p;
      break;
    }
  }
  if (origin) {
    *origin = Origin::kUnknown;
    if (rc != std::string_view::npos)
      *origin = status[rc + 3] == '1' ? Origin::kRelayClient : Origin::kIncoming;
  }
  const std::string_view verdict =
      rc == std::string_view::npos ? status : status.substr(0, rc == 0 ? 0 : rc - 1);
  const std::string_view tags =
      rc == std::string_view::npos ? std::string_view() : status.substr(rc);
  const std::string_view first = verdict.substr(0, verdict.find(':'));

  if (first == "Clear" || first == "clear") {
    if (tags.find(":SA:1(") != std::string_view::npos) return MailClass::kSpam;
    if (tags.find(":DLP:") != std::string_view::npos) return MailClass::kDlp;
    return MailClass::kClean;
  }
  if (first == "virus") return MailClass::kVirus;
  if (first == "spam") return MailClass::kSpam;
  if (starts_with(first, "greylist")) return MailClass::kGreylist;
  if (first == "scanner-unavailable" || first == "spam-scanner-unavailable" ||
      starts_with(first, "defer"))
    return MailClass::kDeferred;
  return MailClass::kPolicy;
}

std::optional<StatsLine> parse_mailstats_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t pos = 0;
  std::tm tm{};
  int year = 0;
  if (!digits(line, pos, 2, &tm.tm_mday) || !expect(line, pos, '/') ||
      !digits(line, pos, 2, &tm.tm_mon) || !expect(line, pos, '/') ||
      !digits(line, pos, 4, &year) || !expect(line, pos, ' ') ||
      !digits(line, pos, 2, &tm.tm_hour) || !expect(line, pos, ':') ||
      !digits(line, pos, 2, &tm.tm_min) || !expect(line, pos, ':') ||
      !digits(line, pos, 2, &tm.tm_sec) || !expect(line, pos, '\t'))
    return std::nullopt;
  tm.tm_mon -= 1;
  tm.tm_year = year - 1900;
  if (!valid_fields(tm)) return std::nullopt;
  const std::string_view rest = line.substr(pos);
  const std::string_view status = rest.substr(0, rest.find('\t'));
  if (status.empty()) return std::nullopt;
  StatsLine out;
  out.when = local_time(tm);
  out.mail_class = classify_status(status, &out.origin);
  return out;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      unit = 0;
  }
  if (unit != 0) text.remove_suffix(1);
  if (unit == 0) unit = 1;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n > (std::int64_t{1} << 40))
    return std::nullopt;
  return n * unit;
}

std::optional<std::time_t> parse_syslog_time(std::string_view line, std::time_t now) {
  std::size_t pos = 0;
  std::tm tm{};
  // ISO 8601 (rsyslog's RFC 5424 / journalctl -o short-iso): 2024-08-14T16:22:41[.frac](Z|+hh:mm)
  int year = 0;
  if (digits(line, pos, 4, &year) && expect(line, pos, '-')) {
    if (!digits(line, pos, 2, &tm.tm_mon) || !expect(line, pos, '-') ||
        !digits(line, pos, 2, &tm.tm_mday) || !(expect(line, pos, 'T') || expect(line, pos, ' ')) ||
        !digits(line, pos, 2, &tm.tm_hour) || !expect(line, pos, ':') ||
        !digits(line, pos, 2, &tm.tm_min) || !expect(line, pos, ':') ||
        !digits(line, pos, 2, &tm.tm_sec))
      return std::nullopt;
    tm.tm_mon -= 1;
    tm.tm_year = year - 1900;
    if (!valid_fields(tm)) return std::nullopt;
    if (pos < line.size() && line[pos] == '.') {
      ++pos;
      while (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos]))) ++pos;
    }
    if (pos < line.size() && line[pos] == 'Z') return ::timegm(&tm);
    if (pos < line.size() && (line[pos] == '+' || line[pos] == '-')) {
      const int sign = line[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      if (!digits(line, pos, 2, &oh)) return std::nullopt;
      expect(line, pos, ':');
      if (!digits(line, pos, 2, &om)) return std::nullopt;
      return ::timegm(&tm) - sign * (oh * 3600 + om * 60);
    }
    return local_time(tm);  // no zone: local time
  }
  // Classic BSD syslog: "Aug 14 16:22:41" (day space-padded), local time, no year.
  pos = 0;
  if (line.size() < 15) return std::nullopt;
  tm.tm_mon = -1;
  for (int m = 0; m < 12; ++m)
    if (line.substr(0, 3) == kMonths[m]) tm.tm_mon = m;
  if (tm.tm_mon < 0 || line[3] != ' ') return std::nullopt;
  pos = 4;
  if (line[pos] == ' ') {
    ++pos;
    if (!digits(line, pos, 1, &tm.tm_mday)) return std::nullopt;
  } else if (!digits(line, pos, 2, &tm.tm_mday)) {
    return std::nullopt;
  }
  if (!expect(line, pos, ' ') || !digits(line, pos, 2, &tm.tm_hour) || !expect(line, pos, ':') ||
      !digits(line, pos, 2, &tm.tm_min) || !expect(line, pos, ':') ||
      !digits(line, pos, 2, &tm.tm_sec))
    return std::nullopt;
  if (!valid_fields(tm)) return std::nullopt;
  std::tm now_tm{};
  ::localtime_r(&now, &now_tm);
  tm.tm_year = now_tm.tm_year;
  std::time_t t = local_time(tm);
  // A December line read in January belongs to last year.
  if (t > now + 86400) {
    tm.tm_year -= 1;
    t = local_time(tm);
  }
  return t;
}

std::optional<StatsLine> SyslogReader::add(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const std::size_t tag = line.find("qmail-scanner[");
  if (tag == std::string_view::npos) return std::nullopt;
  std::size_t pos = tag + std::strlen("qmail-scanner[");
  long pid = 0;
  const auto [end, ec] = std::from_chars(line.data() + pos, line.data() + line.size(), pid);
  if (ec != std::errc()) return std::nullopt;
  pos = static_cast<std::size_t>(end - line.data());
  if (line.substr(pos, 3) != "]: ") return std::nullopt;
  const std::string_view text = line.substr(pos + 3);
  const std::optional<std::time_t> when = parse_syslog_time(line, now_);
  if (!when) return std::nullopt;

  if (starts_with(text, "deferred a message")) {
    // qscand itself deferred it (no free slot): no status line follows.
    return StatsLine{*when, MailClass::kDeferred, Origin::kUnknown};
  }
  if (const auto ev = event_class(text)) {
    pending_[pid] = Pending{*ev, *when};
    return std::nullopt;
  }
  const std::string_view status = text.substr(0, text.find(' '));
  if (!looks_like_status(status)) return std::nullopt;
  StatsLine out;
  out.when = *when;
  out.mail_class = classify_status(status, &out.origin);
  const auto it = pending_.find(pid);
  if (it != pending_.end()) {
    if (*when >= it->second.when && *when - it->second.when <= 60)
      out.mail_class = it->second.mail_class;
    else
      pending_.erase(it);
  }
  return out;
}

void Counts::add(const StatsLine& l) {
  ++by_class[static_cast<std::size_t>(l.mail_class)];
  ++total;
  if (l.origin == Origin::kIncoming) ++incoming;
  if (l.origin == Origin::kRelayClient) ++relay_client;
}

Stats aggregate(const std::vector<StatsLine>& lines, std::optional<std::time_t> since) {
  Stats s;
  std::map<std::time_t, Counts> hours, days;
  for (const StatsLine& l : lines) {
    if (since && l.when < *since) continue;
    s.totals.add(l);
    hours[hour_start(l.when)].add(l);
    days[day_start(l.when)].add(l);
  }
  if (hours.empty()) return s;
  // Every hour and day between the first and the last, so charts have a real time axis.
  const std::time_t last_hour = hours.rbegin()->first;
  for (std::time_t h = hours.begin()->first; h <= last_hour; h = hour_start(h + 3600 + 60)) {
    const auto it = hours.find(h);
    s.hourly.push_back(
        {h, format_local(h, "%Y-%m-%d %H:00"), it == hours.end() ? Counts{} : it->second});
  }
  const std::time_t last_day = days.rbegin()->first;
  for (std::time_t d = days.begin()->first; d <= last_day; d = next_day(d)) {
    const auto it = days.find(d);
    s.daily.push_back({d, format_local(d, "%Y-%m-%d"), it == days.end() ? Counts{} : it->second});
  }
  return s;
}

}  // namespace qscan::tools
