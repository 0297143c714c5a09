#include "policy/policy_rules.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace qscan::policy {
namespace {

constexpr std::array<std::string_view, 9> kVirtualHeaders = {"MAILFROM",
                                                             "RCPTTO",
                                                             "REMOTEIPADDR",
                                                             "ZIPPASSWORDPROTECTED",
                                                             "CRYPTODETAILS",
                                                             "FILELENGTHTOOLONG",
                                                             "FILEDOUBLEBARRELED",
                                                             "FILECLSID",
                                                             "ISSENSITIVEANDNOCRYPTO"};

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Strips trailing dots and spaces, as Windows does with file names.
std::string_view strip_windows_trailing(std::string_view s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

bool valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c < 33 || c > 126 || c == ':') return false;
  return true;
}

// Parses a signed decimal that must consume the whole string.
bool parse_int(std::string_view s, std::int64_t& v) {
  if (s.empty()) return false;
  if (s.front() == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compiles a header pattern; prefers the polynomial executor when the pattern allows it.
std::shared_ptr<const std::regex> compile_regex(const std::string& pattern, std::string& why) {
  const auto base = std::regex::ECMAScript | std::regex::icase;
#if defined(__GLIBCXX__)
  try {
    return std::make_shared<const std::regex>(pattern, base | std::regex_constants::__polynomial);
  } catch (const std::regex_error&) {
    // Back-references (or a genuinely bad pattern): retry below for the real diagnosis.
  }
#endif
  try {
    return std::make_shared<const std::regex>(pattern, base);
  } catch (const std::regex_error& e) {
    why = std::string("bad regular expression: ") + e.what();
  } catch (const std::bad_alloc&) {
    why = "bad regular expression: too large";
  }
  return nullptr;
}

// Completes and checks a rule whose structured fields are set. Shared by the text parser and
// the compiled-form loader so both accept exactly the same rules.
bool finish_rule(PolicyRule& r, std::string& why) {
  if (r.pattern.empty()) {
    why = "empty pattern (column 1)";
    return false;
  }
  if (r.description.empty()) {
    why = "empty description (column 3)";
    return false;
  }
  if (r.header_rule) {
    if (!valid_header_name(r.header)) {
      why = "bad header name '" + r.header +
            "' (column 2: printable characters without spaces, then ':')";
      return false;
    }
    r.virtual_header = is_virtual_header(r.header);
    r.size = -1;
    r.regex = compile_regex(r.pattern, why);
    return r.regex != nullptr;
  }
  r.header.clear();
  r.virtual_header = false;
  r.regex.reset();
  if (r.size < -1) {
    why = "bad size " + std::to_string(r.size);
    return false;
  }
  if (strip_windows_trailing(r.pattern).empty()) {
    why = "empty pattern (column 1): nothing left once trailing dots and spaces are removed";
    return false;
  }
  return true;
}

bool parse_type_column(std::string_view col, PolicyRule& r, std::string& why) {
  if (!col.empty() && col.back() == ':') {
    r.header_rule = true;
    r.header = std::string(col.substr(0, col.size() - 1));
    return true;
  }
  if (all_digits(col)) {  // 1.x: bytes, 0 = any
    std::int64_t v = 0;
    if (!parse_int(col, v)) {
      why = "bad size '" + std::string(col) + "': too large";
      return false;
    }
    r.size = v == 0 ? -1 : v;
    return true;
  }
  if (col.size() >= 5 && iequals(col.substr(0, 5), "SIZE=")) {  // 2.x: bytes, -1 = any
    std::string_view n = col.substr(5);
    std::int64_t v = 0;
    if ((all_digits(n) || n == "-1") && parse_int(n, v)) {
      r.size = v;
      return true;
    }
    why = "bad size '" + std::string(col) + "' (SIZE=n with n >= 0, or SIZE=-1 for any size)";
    return false;
  }
  why = "bad column 2 '" + std::string(col) +
        "': expected a size in bytes (0 = any), SIZE=n (-1 = any) or a header name ending in ':'";
  return false;
}

bool parse_action(std::string_view col, RuleAction& a, std::string& why) {
  if (iequals(col, "quarantine")) {
    a = RuleAction::kQuarantine;
    return true;
  }
  if (iequals(col, "greylist")) {
    a = RuleAction::kGreylist;
    return true;
  }
  why = "bad action '" + std::string(col) + "' (column 4: quarantine or greylist)";
  return false;
}

// Splits on runs of TABs.
std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> cols;
  std::size_t i = 0;
  while (true) {
    std::size_t j = line.find('\t', i);
    cols.push_back(line.substr(i, j == std::string_view::npos ? line.size() - i : j - i));
    if (j == std::string_view::npos) break;
    i = j;
    while (i < line.size() && line[i] == '\t') ++i;
    if (i == line.size()) break;  // trailing TABs: no further column
  }
  return cols;
}

bool parse_line(std::string_view line, std::uint64_t number, PolicyRule& r, std::string& why) {
  std::vector<std::string_view> cols = split_tabs(line);
  if (cols.size() < 3) {
    if (line.find(' ') != std::string_view::npos) {
      why = "columns must be separated by TABs, not spaces (found " + std::to_string(cols.size()) +
            " TAB-separated column" + (cols.size() == 1 ? "" : "s") + ", need 3 or 4)";
    } else {
      why = "too few columns (" + std::to_string(cols.size()) +
            "; need 3 or 4: pattern, size or header:, description[, action])";
    }
    return false;
  }
  if (cols.size() > 4) {
    why = "too many columns (" + std::to_string(cols.size()) +
          "; at most 4: pattern, size or header:, description, action)";
    return false;
  }
  r = PolicyRule{};
  r.line = number;
  r.pattern = std::string(cols[0]);
  if (r.pattern.empty()) {
    why = "empty pattern (column 1)";
    return false;
  }
  if (!parse_type_column(trim_spaces(cols[1]), r, why)) return false;
  r.description = std::string(trim_spaces(cols[2]));
  if (cols.size() == 4 && !parse_action(trim_spaces(cols[3]), r.action, why)) return false;
  return finish_rule(r, why);
}

// --- compiled form ---

std::string escape(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string o;
  o.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        o += "\\\\";
        break;
      case '\t':
        o += "\\t";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\r':
        o += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          o += "\\x";
          o += hex[c >> 4];
          o += hex[c & 15];
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unescape(std::string_view s, std::string& o) {
  o.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;  // must have been escaped
    if (c != '\\') {
      o += static_cast<char>(c);
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\':
        o += '\\';
        break;
      case 't':
        o += '\t';
        break;
      case 'n':
        o += '\n';
        break;
      case 'r':
        o += '\r';
        break;
      case 'x': {
        if (i + 2 >= s.size()) return false;
        int h = hex_value(s[i + 1]), l = hex_value(s[i + 2]);
        if (h < 0 || l < 0) return false;
        o += static_cast<char>(h * 16 + l);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::vector<std::string_view> split_exact(std::string_view s, char sep) {
  std::vector<std::string_view> v;
  std::size_t i = 0;
  while (true) {
    std::size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      v.push_back(s.substr(i));
      return v;
    }
    v.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}

bool read_small_file(const std::string& path, std::string& text, std::string& why) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    why = path + " is not a regular file";
    return false;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxPolicyFileBytes) {
    why = path + " is larger than " + std::to_string(kMaxPolicyFileBytes) + " bytes";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  text.assign(kMaxPolicyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    why = "cannot read " + path;
    return false;
  }
  if (text.size() > kMaxPolicyFileBytes) {
    why = path + " is larger than " + std::to_string(kMaxPolicyFileBytes) + " bytes";
    return false;
  }
  return true;
}

// For the table: control bytes escaped, backslashes left alone so regexes read as written.
std::string printable(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '\\')
      o += c;
    else
      o += escape(std::string_view(&c, 1));
  }
  return o;
}

}  // namespace

bool operator==(const PolicyRule& a, const PolicyRule& b) {
  return a.line == b.line && a.pattern == b.pattern && a.header_rule == b.header_rule &&
         a.header == b.header && a.virtual_header == b.virtual_header && a.size == b.size &&
         a.description == b.description && a.action == b.action;
}

bool operator==(const PolicySet& a, const PolicySet& b) {
  return a.source == b.source && a.rules == b.rules;
}

std::string PolicyError::to_string() const {
  if (line == 0) return message;
  return "line " + std::to_string(line) + ": " + message;
}

bool is_virtual_header(std::string_view name) {
  return std::any_of(kVirtualHeaders.begin(), kVirtualHeaders.end(),
                     [&](std::string_view v) { return iequals(v, name); });
}

const char* action_name(RuleAction action) {
  return action == RuleAction::kGreylist ? "greylist" : "quarantine";
}

bool parse_policy_text(std::string_view text, const std::string& source, PolicySet& out,
                       std::vector<PolicyError>& errors) {
  const std::size_t errors_before = errors.size();
  if (text.size() > kMaxPolicyFileBytes) {
    errors.push_back(
        {0, "policy file is larger than " + std::to_string(kMaxPolicyFileBytes) + " bytes"});
    return false;
  }
  PolicySet set;
  set.source = source;
  std::uint64_t number = 0;
  bool too_many_reported = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxPolicyLineBytes) {
      errors.push_back({number, "line longer than " + std::to_string(kMaxPolicyLineBytes) +
                                    " bytes (" + std::to_string(line.size()) + ")"});
      continue;
    }
    if (line.find('\0') != std::string_view::npos) {
      errors.push_back({number, "NUL byte in line"});
      continue;
    }
    std::string_view body = trim_spaces(line);
    if (body.empty() || body.front() == '#') continue;
    PolicyRule rule;
    std::string why;
    if (!parse_line(line, number, rule, why)) {
      errors.push_back({number, why});
      continue;
    }
    if (set.rules.size() >= kMaxPolicyRules) {
      if (!too_many_reported)
        errors.push_back({number, "more than " + std::to_string(kMaxPolicyRules) + " rules"});
      too_many_reported = true;
      continue;
    }
    set.rules.push_back(std::move(rule));
  }
  if (errors.size() != errors_before) return false;
  out = std::move(set);
  return true;
}

bool load_policy_file(const std::string& path, PolicySet& out, std::vector<PolicyError>& errors) {
  std::string text, why;
  if (!read_small_file(path, text, why)) {
    errors.push_back({0, why});
    return false;
  }
  return parse_policy_text(text, path, out, errors);
}

std::string compile_policy(const PolicySet& set) {
  std::string o = std::string(kCompiledMagic) + "\n";
  o += "source\t" + escape(set.source) + "\n";
  o += "rules\t" + std::to_string(set.rules.size()) + "\n";
  for (const PolicyRule& r : set.rules) {
    o += "rule\t" + std::to_string(r.line) + "\t";
    o += r.header_rule ? (r.virtual_header ? "V" : "H") : "A";
    o += "\t" + std::to_string(r.size) + "\t" + action_name(r.action) + "\t" + escape(r.pattern) +
         "\t" + escape(r.header) + "\t" + escape(r.description) + "\n";
  }
  o += "end\n";
  return o;
}

bool load_compiled_policy(std::string_view text, PolicySet& out, std::string* error) {
  auto fail = [&](std::uint64_t line, const std::string& why) {
    if (error) *error = "compiled policy line " + std::to_string(line) + ": " + why;
    return false;
  };
  if (text.size() > kMaxPolicyFileBytes * 2) return fail(0, "too large");
  std::vector<std::string_view> lines = split_exact(text, '\n');
  if (lines.empty() || lines.back() != "")
    return fail(lines.size(), "truncated (no final newline)");
  lines.pop_back();
  if (lines.empty() || lines[0] != kCompiledMagic)
    return fail(1, std::string("not a compiled policy (expected '") + kCompiledMagic + "')");
  if (lines.size() < 4) return fail(lines.size(), "truncated");
  PolicySet set;
  std::vector<std::string_view> f = split_exact(lines[1], '\t');
  if (f.size() != 2 || f[0] != "source" || !unescape(f[1], set.source))
    return fail(2, "bad source line");
  f = split_exact(lines[2], '\t');
  std::int64_t count = 0;
  if (f.size() != 2 || f[0] != "rules" || !all_digits(f[1]) || !parse_int(f[1], count) ||
      count > static_cast<std::int64_t>(kMaxPolicyRules))
    return fail(3, "bad rules line");
  if (lines.size() != static_cast<std::size_t>(count) + 4)
    return fail(lines.size(), "rule count does not match the rules line");
  if (lines.back() != "end") return fail(lines.size(), "missing end line");
  set.rules.reserve(static_cast<std::size_t>(count));
  for (std::size_t i = 3; i + 1 < lines.size(); ++i) {
    const std::uint64_t n = i + 1;
    f = split_exact(lines[i], '\t');
    if (f.size() != 8 || f[0] != "rule") return fail(n, "bad rule line");
    PolicyRule r;
    std::int64_t num = 0;
    if (!all_digits(f[1]) || !parse_int(f[1], num)) return fail(n, "bad source line number");
    r.line = static_cast<std::uint64_t>(num);
    if (f[2] != "A" && f[2] != "H" && f[2] != "V") return fail(n, "bad rule kind");
    r.header_rule = f[2] != "A";
    if (!parse_int(f[3], r.size)) return fail(n, "bad size");
    std::string why;
    if (!parse_action(f[4], r.action, why)) return fail(n, why);
    if (!unescape(f[5], r.pattern) || !unescape(f[6], r.header) || !unescape(f[7], r.description))
      return fail(n, "bad escape");
    if (r.header_rule && r.size != -1) return fail(n, "header rule with a size");
    if (!r.header_rule && !r.header.empty()) return fail(n, "attachment rule with a header");
    if (!finish_rule(r, why)) return fail(n, why);
    if ((f[2] == "V") != r.virtual_header) return fail(n, "virtual header flag disagrees");
    set.rules.push_back(std::move(r));
  }
  out = std::move(set);
  return true;
}

std::string show_policy(const PolicySet& set) {
  struct Row {
    std::string line, action, type, pattern, description;
  };
  std::vector<Row> rows;
  rows.push_back({"LINE", "ACTION", "TYPE", "PATTERN", "DESCRIPTION"});
  for (const PolicyRule& r : set.rules) {
    Row row;
    row.line = std::to_string(r.line);
    row.action = action_name(r.action);
    if (r.header_rule) {
      row.type = (r.virtual_header ? "virtual " : "header ") + printable(r.header) + ":";
      row.pattern = "/" + printable(r.pattern) + "/i";
    } else {
      const bool ext = !r.pattern.empty() && r.pattern.front() == '.';
      row.type = std::string(ext ? "extension" : "filename") +
                 (r.size < 0 ? "" : ", size=" + std::to_string(r.size));
      row.pattern = printable(r.pattern);
    }
    row.description = printable(r.description);
    rows.push_back(std::move(row));
  }
  std::size_t w[4] = {0, 0, 0, 0};
  for (const Row& row : rows) {
    w[0] = std::max(w[0], row.line.size());
    w[1] = std::max(w[1], row.action.size());
    w[2] = std::max(w[2], row.type.size());
    w[3] = std::max(w[3], std::min<std::size_t>(row.pattern.size(), 40));
  }
  auto pad = [](const std::string& s, std::size_t n) {
    return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
  };
  std::ostringstream o;
  o << "# " << printable(set.source.empty() ? "(no source)" : set.source) << ": "
    << set.rules.size() << (set.rules.size() == 1 ? " rule" : " rules") << ", first match wins\n";
  for (const Row& row : rows) {
    o << pad(row.line, w[0]) << "  " << pad(row.action, w[1]) << "  " << pad(row.type, w[2]) << "  "
      << pad(row.pattern, w[3]) << "  " << row.description << "\n";
  }
  return o.str();
}

bool load_policy(const std::string& path, PolicySet& out, std::string* error) {
  std::string p = path;
  if (p.empty()) {
    struct stat st {};
    if (::stat(kDefaultPolicyPath, &st) != 0) {
      out = PolicySet{};
      return true;
    }
    p = kDefaultPolicyPath;
  }
  if (p.ends_with(".compiled")) {
    std::string text, why;
    if (!read_small_file(p, text, why)) {
      if (error) *error = why;
      return false;
    }
    std::string e;
    if (!load_compiled_policy(text, out, &e)) {
      if (error) *error = p + ": " + e;
      return false;
    }
    return true;
  }
  std::vector<PolicyError> errors;
  if (load_policy_file(p, out, errors)) return true;
  if (error) {
    std::string msg;
    const std::size_t shown = std::min<std::size_t>(errors.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) {
      if (!msg.empty()) msg += "; ";
      msg += errors[i].line ? p + ":" + std::to_string(errors[i].line) + ": " + errors[i].message
                            : errors[i].message;
    }
    if (errors.size() > shown)
      msg += "; and " + std::to_string(errors.size() - shown) + " more bad lines";
    *error = msg;
  }
  return false;
}

}  // namespace qscan::policy
