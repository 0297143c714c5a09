#include "policy/notify.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace qscan::policy {
namespace {

constexpr std::size_t kMaxLine = 998;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string s) {
  for (char& c : s) c = lower(c);
  return s;
}

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Glob with '*' and '?', case-insensitive, over the whole string (iterative, linear-ish).
bool glob_match(const std::string& pat, const std::string& s) {
  std::size_t p = 0, i = 0, star = std::string::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || lower(pat[p]) == lower(s[i]))) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// Strips one pair of surrounding angle brackets and blanks.
std::string bare_address(const std::string& address) {
  std::string a = trim(address);
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = trim(a.substr(1, a.size() - 2));
  return a;
}

// Truncates to at most `max` bytes without cutting a UTF-8 sequence.
std::string cap_utf8(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

// Field value made safe for a header or a body line.
std::string sanitize(const std::string& value) {
  std::string out = value;
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) c = ' ';
  }
  return cap_utf8(std::move(out), kMaxLine);
}

std::string substitute(const std::string& text,
                       const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "${") == 0) {
      std::size_t close = text.find('}', i + 2);
      if (close != std::string::npos) {
        std::string name = text.substr(i + 2, close - i - 2);
        auto it = std::find_if(vars.begin(), vars.end(),
                               [&](const auto& kv) { return kv.first == name; });
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

bool is_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string base64(const std::string& in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                      (static_cast<unsigned char>(in[i + 1]) << 8) |
                      static_cast<unsigned char>(in[i + 2]);
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
    i += 3;
  }
  if (i < in.size()) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += (i + 1 < in.size()) ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Length of the UTF-8 sequence starting at s[i] (1 for invalid lead bytes).
std::size_t utf8_len(const std::string& s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 1;
  return std::min(n, s.size() - i);
}

// "Name: value" with the value as RFC 2047 encoded words (each ≤ 75 chars, whole UTF-8
// characters), folded one word per line.
std::string encode_header(const std::string& name, const std::string& value) {
  constexpr std::size_t kMaxRaw = 45;  // 45 bytes → 60 base64 chars + 12 = 72 ≤ 75
  std::string out = name + ":";
  std::size_t i = 0;
  bool first = true;
  while (i < value.size()) {
    std::size_t end = i;
    while (end < value.size()) {
      std::size_t n = utf8_len(value, end);
      if (end + n - i > kMaxRaw) break;
      end += n;
    }
    if (end == i) end = i + utf8_len(value, i);
    out += first ? " " : "\n ";
    out += "=?UTF-8?B?" + base64(value.substr(i, end - i)) + "?=";
    first = false;
    i = end;
  }
  if (first) out += " ";
  return out;
}

// A header line as it goes on the wire: encoded when it has non-ASCII text or is too long.
std::string render_header(const std::string& name, const std::string& value) {
  std::string line = name + ": " + value;
  if (is_ascii(line) && line.size() <= kMaxLine) return line;
  return encode_header(name, value);
}

// Wraps a body line longer than 998 bytes, preferring the last blank before the limit.
void append_wrapped(std::string& out, std::string line) {
  while (line.size() > kMaxLine) {
    std::size_t cut = line.rfind(' ', kMaxLine);
    if (cut == std::string::npos || cut == 0) {
      cut = kMaxLine;
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      if (cut == 0) cut = kMaxLine;
      out += line.substr(0, cut) + "\n";
      line.erase(0, cut);
    } else {
      out += line.substr(0, cut) + "\n";
      line.erase(0, cut + 1);
    }
  }
  out += line + "\n";
}

std::uint64_t fnv1a(const std::string& s, std::uint64_t h = 1469598103934665603ULL) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[i] = digits[v & 15];
    v >>= 4;
  }
  return s;
}

// Characters allowed in a Message-ID's left part (dot-atom text); others become '_'.
std::string msgid_safe(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
    out += ok ? c : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  while (!out.empty() && out.back() == '.') out.pop_back();
  std::string collapsed;
  for (char c : out)
    if (!(c == '.' && !collapsed.empty() && collapsed.back() == '.')) collapsed += c;
  return collapsed.substr(0, 200);
}

std::string rfc2822_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = ss.str();
  return true;
}

struct Template {
  std::vector<std::pair<std::string, std::string>> headers;  // name, raw value (unfolded)
  std::string body;
};

bool parse_template(std::string text, Template* t, std::string* why) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      *why = "no blank line between headers and body";
      return false;
    }
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (t->headers.empty()) {
        *why = "continuation line before any header";
        return false;
      }
      t->headers.back().second += " " + trim(line);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.find(' ') < colon) {
      *why = "bad header line: " + line.substr(0, 80);
      return false;
    }
    t->headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  }
  t->body = text.substr(pos);
  bool has_subject = std::any_of(t->headers.begin(), t->headers.end(),
                                 [](const auto& h) { return iequals(h.first, "Subject"); });
  if (!has_subject) {
    *why = "no Subject: header";
    return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& default_forging_patterns() {
  static const std::vector<std::string> patterns = {
      "Klez",   "Bugbear", "Hybris", "Yaha", "Braid",  "Nimda",   "Tanatos", "Sobig",  "Winevar",
      "Palyh",  "Fizzer",  "Gibe",   "Swen", "Dumaru", "Sober",   "Mimail",  "Bagle",  "Beagle",
      "Mydoom", "Novarg",  "Netsky", "Zafi", "Mytob",  "Lovgate", "Sircam",  "Mabutu", "@mm",
  };
  return patterns;
}

bool virus_forges_sender(const std::string& virus_name, const std::vector<std::string>& patterns) {
  if (virus_name.empty()) return false;
  const std::vector<std::string>& list = patterns.empty() ? default_forging_patterns() : patterns;
  const std::string name = to_lower(virus_name);
  for (const std::string& raw : list) {
    std::string p = trim(raw);
    if (p.empty()) continue;
    if (p.find_first_of("*?") != std::string::npos) {
      if (glob_match(p, virus_name)) return true;
    } else if (name.find(to_lower(p)) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_list_mail(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [raw_name, raw_value] : headers) {
    std::string name = trim(raw_name);
    if (istarts_with(name, "List-") || iequals(name, "Mailing-List")) return true;
    if (iequals(name, "Precedence")) {
      std::string v = raw_value;
      if (std::size_t c = v.find('('); c != std::string::npos) v.erase(c);
      v = to_lower(trim(v));
      if (v == "bulk" || v == "list" || v == "junk") return true;
    }
  }
  return false;
}

bool is_postmaster_like(const std::string& address) {
  std::string a = bare_address(address);
  if (a.empty() || a == "#@[]") return true;
  std::string local = to_lower(a.substr(0, a.rfind('@')));
  return local == "postmaster" || local == "mailer-daemon";
}

NotifySelection select_notify_targets(const NotifyInput& in) {
  NotifySelection sel;
  std::set<std::string> modes;
  for (const std::string& m : in.modes) modes.insert(to_lower(trim(m)));

  if (modes.contains("none") || modes.empty()) {
    sel.skipped.push_back(modes.empty() ? "nobody told: notify is empty"
                                        : "nobody told: notify = none");
    return sel;
  }

  std::string admin;
  if (modes.contains("admin")) {
    admin = bare_address(in.admin_address);
    if (!admin.empty() && admin.find('@') == std::string::npos && !in.local_domain.empty())
      admin += "@" + in.local_domain;
    if (admin.empty()) sel.skipped.push_back("admin not told: admin_address is empty");
  }

  std::set<std::string> seen;
  auto add = [&](NotifyTarget::Kind kind, const std::string& address, const char* who) {
    std::string key = to_lower(address);
    if (!admin.empty() && kind != NotifyTarget::kAdmin && key == to_lower(admin)) {
      sel.skipped.push_back(std::string(who) + " " + address + " gets the admin alert");
      return;
    }
    if (!seen.insert(key).second) {
      sel.skipped.push_back(std::string(who) + " " + address + " already told");
      return;
    }
    sel.targets.push_back({kind, address});
  };

  const bool tell_sender_policy = modes.contains("sender") || modes.contains("psender");
  const bool tell_sender_virus = modes.contains("sender");
  if (tell_sender_policy) {
    const std::string sender = bare_address(in.sender);
    if (in.is_virus && !tell_sender_virus) {
      sel.skipped.push_back("sender not told: psender tells senders of policy blocks only");
    } else if (is_postmaster_like(sender)) {
      sel.skipped.push_back("sender not told: bounce or postmaster sender '" + sender + "'");
    } else if (in.list_mail) {
      sel.skipped.push_back("sender not told: mailing-list message");
    } else if (in.is_virus && virus_forges_sender(in.virus_name, in.forging_patterns)) {
      sel.skipped.push_back("sender not told: virus forges senders (" + in.virus_name + ")");
    } else {
      add(NotifyTarget::kSender, sender, "sender");
    }
  }

  if (modes.contains("recips")) {
    for (const std::string& r : in.recipients) {
      const std::string rcpt = bare_address(r);
      if (is_postmaster_like(rcpt)) {
        sel.skipped.push_back("recipient not told: postmaster-like address '" + rcpt + "'");
        continue;
      }
      add(NotifyTarget::kRecipient, rcpt, "recipient");
    }
  }

  if (!admin.empty()) add(NotifyTarget::kAdmin, admin, "admin");
  return sel;
}

const char* notify_kind_name(NotifyTarget::Kind kind) {
  switch (kind) {
    case NotifyTarget::kSender:
      return "sender";
    case NotifyTarget::kRecipient:
      return "recipient";
    case NotifyTarget::kAdmin:
      return "admin";
  }
  return "admin";
}

std::string build_alert(const std::string& templates_dir, const std::string& lang,
                        NotifyTarget::Kind kind, const std::string& to, const AlertFields& fields,
                        std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = why;
    return std::string();
  };
  const std::string to_clean = sanitize(trim(to));
  if (to_clean.empty()) return fail("alert has no recipient");

  const std::string file = std::string(notify_kind_name(kind)) + ".txt";
  std::string path, text;
  bool found = false;
  if (plain_name(lang) && lang != "en") {
    path = templates_dir + "/" + lang + "/" + file;
    found = read_file(path, &text);
  }
  if (!found) {
    path = templates_dir + "/en/" + file;
    found = read_file(path, &text);
  }
  if (!found)
    return fail("no notification template: neither " + templates_dir + "/" + lang + "/" + file +
                " nor " + path + " can be read");

  Template t;
  std::string why;
  if (!parse_template(std::move(text), &t, &why))
    return fail("notification template " + path + ": " + why);

  const std::string hostname = fields.hostname.empty() ? "localhost" : sanitize(fields.hostname);
  const std::string date = fields.date.empty() ? rfc2822_now() : sanitize(fields.date);
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"REASON", sanitize(fields.reason)},
      {"DESCRIPTION", sanitize(fields.description)},
      {"SENDER", sanitize(fields.sender.empty() ? "<>" : fields.sender)},
      {"RECIPIENTS", sanitize(fields.recipients)},
      {"SUBJECT", sanitize(fields.subject)},
      {"MESSAGE_ID", sanitize(fields.message_id)},
      {"QUARANTINE_ID", sanitize(fields.quarantine_id)},
      {"HOSTNAME", hostname},
      {"DATE", date},
      {"SCANNERS", sanitize(fields.scanners)},
  };

  std::string from = "\"Mail Content Scanner\" <MAILER-DAEMON@" + hostname + ">";
  std::vector<std::pair<std::string, std::string>> extra;  // template headers kept
  std::string subject;
  static const std::array<const char*, 7> ours = {"To",
                                                  "Date",
                                                  "Message-ID",
                                                  "Auto-Submitted",
                                                  "MIME-Version",
                                                  "Content-Type",
                                                  "Content-Transfer-Encoding"};
  for (const auto& [name, value] : t.headers) {
    // Substituted values are sanitized, and a template line cannot hold a newline, so the
    // value is a single line; sanitize again to cap its length.
    std::string v = sanitize(substitute(value, vars));
    if (iequals(name, "Subject")) {
      subject = v;
    } else if (iequals(name, "From")) {
      from = v;
    } else if (std::none_of(ours.begin(), ours.end(),
                            [&name = name](const char* o) { return iequals(name, o); })) {
      extra.emplace_back(name, v);
    }
  }

  const std::string qid = fields.quarantine_id.empty()
                              ? hex(fnv1a(fields.date + "\n" + fields.message_id + "\n" +
                                          fields.subject + "\n" + fields.reason))
                              : msgid_safe(fields.quarantine_id);
  const std::string message_id = "<qscan." + qid + "." + notify_kind_name(kind) + "." +
                                 hex(fnv1a(to_lower(to_clean))).substr(0, 8) + "@" +
                                 msgid_safe(hostname) + ">";

  std::string out;
  out += render_header("From", from) + "\n";
  out += render_header("To", to_clean) + "\n";
  out += render_header("Subject", subject) + "\n";
  out += render_header("Date", date) + "\n";
  out += "Message-ID: " + message_id + "\n";
  out += "Auto-Submitted: auto-generated\n";
  for (const auto& [name, value] : extra) out += render_header(name, value) + "\n";
  out += "MIME-Version: 1.0\n";
  out += "Content-Type: text/plain; charset=UTF-8\n";
  out += "Content-Transfer-Encoding: 8bit\n";
  out += "\n";

  std::string body = substitute(t.body, vars);
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    append_wrapped(out, body.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace qscan::policy
