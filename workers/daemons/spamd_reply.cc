#include "workers/daemons/spamd_reply.h"

#include <strings.h>
#include <algorithm>
#include <charconv>

#include "workers/daemons/clamd_reply.h"

namespace qscan::daemons {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool printable(char c) { return c >= 0x20 && c < 0x7f; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool valid_header_name(std::string_view n) {
  return !n.empty() && n.size() <= 128 &&
         std::all_of(n.begin(), n.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
}

SpamdResponse fail(std::string why) {
  SpamdResponse r;
  r.error = std::move(why);
  return r;
}

// "SPAMD/1.1 0 EX_OK"
bool parse_status(std::string_view line, SpamdResponse& r) {
  constexpr std::string_view kPrefix = "SPAMD/";
  if (!line.starts_with(kPrefix)) return false;
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  std::string_view ver = line.substr(kPrefix.size(), sp1 - kPrefix.size());
  std::size_t dot = ver.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == ver.size() || ver.size() > 9 ||
      !std::all_of(ver.begin(), ver.begin() + dot, digit) ||
      !std::all_of(ver.begin() + dot + 1, ver.end(), digit))
    return false;
  r.protocol = std::string(line.substr(0, sp1));
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  std::string_view code = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view message = line.substr(sp2 + 1);
  if (code.empty() || code.size() > 3 || !std::all_of(code.begin(), code.end(), digit) ||
      message.empty())
    return false;
  if (code != "0" || message != "EX_OK") {
    r.error = "spamd: " + std::string(code) + " " + std::string(message);
  }
  return true;
}

// "True ; 1003.3 / 5.0"
bool parse_spam_value(std::string_view v, SpamdResponse& r) {
  std::size_t semi = v.find(" ; ");
  std::size_t slash = v.find(" / ");
  if (semi == std::string_view::npos || slash == std::string_view::npos || slash < semi)
    return false;
  std::string_view flag = v.substr(0, semi);
  std::string_view score = v.substr(semi + 3, slash - semi - 3);
  std::string_view threshold = v.substr(slash + 3);
  if (flag == "True" || flag == "Yes") {
    r.is_spam = true;
  } else if (flag == "False" || flag == "No") {
    r.is_spam = false;
  } else {
    return false;
  }
  if (!valid_spamd_number(score) || !valid_spamd_number(threshold)) return false;
  r.score = std::string(score);
  r.threshold = std::string(threshold);
  return true;
}

}  // namespace

bool valid_spamd_number(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  std::size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (whole.empty() || whole.size() > 9 || !std::all_of(whole.begin(), whole.end(), digit))
    return false;
  if (dot == std::string_view::npos) return true;
  std::string_view frac = s.substr(dot + 1);
  return !frac.empty() && frac.size() <= 4 && std::all_of(frac.begin(), frac.end(), digit);
}

SpamdResponse parse_spamd_response(std::string_view bytes) {
  if (bytes.empty()) return fail("spamd closed the connection without a reply");
  std::size_t head_end = bytes.find("\r\n\r\n");
  std::size_t status_end = bytes.find("\r\n");
  if (status_end == std::string_view::npos || status_end > kMaxSpamdResponseHead)
    return fail("spamd reply has no status line: \"" + sanitize_for_log(bytes) + "\"");
  SpamdResponse r;
  std::string_view status = bytes.substr(0, status_end);
  if (!std::all_of(status.begin(), status.end(), printable) || !parse_status(status, r))
    return fail("malformed spamd status line: \"" + sanitize_for_log(status) + "\"");
  if (!r.error.empty()) return fail(r.error);
  if (head_end == std::string_view::npos)
    return fail("spamd reply headers not terminated by an empty line");
  if (head_end + 4 > kMaxSpamdResponseHead)
    return fail("spamd reply headers exceed " + std::to_string(kMaxSpamdResponseHead) + " bytes");

  std::string_view headers = bytes.substr(status_end + 2, head_end + 2 - (status_end + 2));
  bool have_length = false, have_spam = false;
  std::size_t length = 0;
  while (!headers.empty()) {
    std::size_t eol = headers.find("\r\n");  // always found: the block ends with CRLF
    std::string_view line = headers.substr(0, eol);
    headers.remove_prefix(eol + 2);
    if (!std::all_of(line.begin(), line.end(), printable))
      return fail("spamd reply header contains control bytes");
    std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos || !valid_header_name(line.substr(0, colon)))
      return fail("malformed spamd reply header: \"" + sanitize_for_log(line) + "\"");
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 2);
    if (iequals(name, "Content-length")) {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (have_length || value.empty() || value.size() > 12 || ec != std::errc() ||
          end != value.data() + value.size() || !digit(value.front()))
        return fail("bad spamd Content-length: \"" + sanitize_for_log(value) + "\"");
      have_length = true;
    } else if (iequals(name, "Spam")) {
      if (have_spam || !parse_spam_value(value, r))
        return fail("bad spamd Spam header: \"" + sanitize_for_log(value) + "\"");
      have_spam = true;
    }
  }
  if (!have_spam) return fail("spamd reply has no Spam header");
  if (!have_length) return fail("spamd reply has no Content-length header");
  std::string_view body = bytes.substr(head_end + 4);
  if (body.size() != length)
    return fail("spamd reply body is " + std::to_string(body.size()) +
                " bytes, Content-length says " + std::to_string(length));
  r.body = std::string(body);
  r.ok = true;
  return r;
}

bool extract_spam_headers(std::string_view block, std::vector<ipc::HeaderRecord>& out,
                          std::string* error) {
  auto set = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  bool in_spam_header = false;
  while (!block.empty()) {
    std::size_t eol = block.find('\n');
    std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block
    if (line.front() == ' ' || line.front() == '\t') {
      if (!in_spam_header) continue;
      ipc::HeaderRecord& h = out.back();
      if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos)
        return set("X-Spam header " + h.name + " contains control bytes");
      if (h.value.size() + line.size() + 1 > ipc::kMaxValueField)
        return set("X-Spam header " + h.name + " is too long");
      h.value += '\n';
      h.value += line;
      continue;
    }
    in_spam_header = false;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a header: the message's problem
    std::string_view name = line.substr(0, colon);
    if (!istarts_with(name, "X-Spam-")) continue;
    if (!valid_header_name(name))
      return set("malformed X-Spam header name: \"" + sanitize_for_log(name) + "\"");
    if (out.size() >= kMaxSpamHeaders) return set("more than 64 X-Spam headers");
    std::string_view value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    if (value.find('\0') != std::string_view::npos || value.find('\r') != std::string_view::npos)
      return set("X-Spam header " + std::string(name) + " contains control bytes");
    out.push_back({std::string(name), std::string(value)});
    in_spam_header = true;
  }
  return true;
}

std::string spamassassin_version(const std::vector<ipc::HeaderRecord>& headers) {
  for (const ipc::HeaderRecord& h : headers) {
    if (!iequals(h.name, "X-Spam-Checker-Version")) continue;
    constexpr std::string_view kPrefix = "SpamAssassin ";
    std::string_view v = h.value;
    if (!v.starts_with(kPrefix)) return {};
    v.remove_prefix(kPrefix.size());
    std::string_view ver = v.substr(0, v.find_first_of(" \n\t"));
    if (ver.empty() || ver.size() > 32 || !digit(ver.front()) ||
        !std::all_of(ver.begin(), ver.end(), [](char c) {
          return digit(c) || c == '.' || c == '-' || (c >= 'a' && c <= 'z');
        }))
      return {};
    return std::string(ver);
  }
  return {};
}

}  // namespace qscan::daemons
