// Statistics over Qmail-Scanner's per-recipient log lines (mailstats.csv or the
// "qmail-scanner[PID]:" syslog lines): classification of each line and per-hour / per-day
// counts. Pure: no file access, the caller passes lines and the current time.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qscan::tools {

// Every log line falls in exactly one class.
enum class MailClass { kClean, kVirus, kPolicy, kSpam, kGreylist, kDlp, kDeferred };
inline constexpr std::size_t kMailClassCount = 7;

const char* mail_class_name(MailClass c);  // "clean", "virus", ... "deferred"
const std::array<MailClass, kMailClassCount>& all_mail_classes();

// Where the message came from: the status string's RC:1 (a RELAYCLIENT, i.e. a local or
// authenticated client sending out) or RC:0 (incoming from the Internet).
enum class Origin { kUnknown, kIncoming, kRelayClient };

struct StatsLine {
  std::time_t when = 0;
  MailClass mail_class = MailClass::kClean;
  Origin origin = Origin::kUnknown;
};

// Classifies a status string such as "Clear:RC:0(1.2.3.4):SA:0(1.0/5.0):",
// "virus:Eicar-Test-Signature:RC:1(10.0.0.1):" or "policy:.exe not allowed:RC:0(...):".
//   Clear with SA:1(...)        -> spam (tagged and delivered)
//   Clear with a DLP:<name>:    -> dlp  (let through and archived by dlp_monitor)
//   Clear                       -> clean
//   virus:...                   -> virus
//   spam, spam:deleted          -> spam
//   greylist...                 -> greylist
//   scanner-unavailable, spam-scanner-unavailable, defer... -> deferred
//   policy:..., malformed:..., decoder-failure, scanner-failure, anything else -> policy
MailClass classify_status(std::string_view status, Origin* origin = nullptr);

// One mailstats.csv line: "dd/mm/yyyy HH:MM:SS<TAB>status<TAB>..." in local time.
// nullopt for a line that is not one (header, blank, garbled).
std::optional<StatsLine> parse_mailstats_line(std::string_view line);

// "7d", "36h", "90m", "2w", "3600s" or plain seconds; nullopt when malformed.
std::optional<std::int64_t> parse_duration(std::string_view text);

// Syslog files: reads the "qmail-scanner[PID]: <status> <elapsed> <size> ..." lines of
// classic ("Aug 14 16:22:41 host ...", local time, year inferred from `now`) or ISO 8601
// ("2024-08-14T16:22:41.123456+02:00 host ...") timestamps. The events qscan logs for a
// message before its status lines ("greylisted (...)", "deferred (...)", "qmail-queue
// failed, message deferred: ...") reclassify the status lines of the same PID that follow
// within a minute as greylist / deferred, since a greylisted message's status is its policy
// event. qscand's "deferred a message: ..." (no status line follows) counts once as deferred.
class SyslogReader {
 public:
  explicit SyslogReader(std::time_t now) : now_(now) {}
  // Returns the line's record, or nullopt for lines that are not per-recipient records
  // (other programs, other qscan events, garbled lines).
  std::optional<StatsLine> add(std::string_view line);

 private:
  struct Pending {
    MailClass mail_class;
    std::time_t when;
  };
  std::time_t now_;
  std::map<long, Pending> pending_;  // pid -> class from an event line
};

// Parses a syslog line's timestamp; nullopt when it has none.
std::optional<std::time_t> parse_syslog_time(std::string_view line, std::time_t now);

struct Counts {
  std::array<std::uint64_t, kMailClassCount> by_class{};
  std::uint64_t incoming = 0;
  std::uint64_t relay_client = 0;
  std::uint64_t total = 0;
  std::uint64_t of(MailClass c) const { return by_class[static_cast<std::size_t>(c)]; }
  void add(const StatsLine& l);
  bool operator==(const Counts&) const = default;
};

struct Bucket {
  std::time_t start = 0;  // local start of the hour or day
  std::string label;      // "2024-05-01 13:00" or "2024-05-01"
  Counts counts;
};

struct Stats {
  Counts totals;
  std::vector<Bucket> hourly;  // every hour from the first to the last record, zeros included
  std::vector<Bucket> daily;   // every day likewise
};

// Records before `since` (when given) are left out.
Stats aggregate(const std::vector<StatsLine>& lines, std::optional<std::time_t> since);

}  // namespace qscan::tools
