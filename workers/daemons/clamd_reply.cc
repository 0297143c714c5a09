#include "workers/daemons/clamd_reply.h"

#include <algorithm>

namespace qscan::daemons {
namespace {

bool printable(char c) { return c >= 0x20 && c < 0x7f; }
bool digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), digit); }

ClamdReply error_reply(std::string msg) {
  ClamdReply r;
  r.kind = ClamdReplyKind::kError;
  r.error = std::move(msg);
  return r;
}

ClamdReply unrecognised(std::string_view reply) {
  return error_reply("unrecognised clamd reply: \"" + sanitize_for_log(reply) + "\"");
}

// "1.4.6", "0.103.12", "1.5.0-beta", "1.0.0~rc": starts with a digit; digits, letters, . - ~ +
bool valid_engine(std::string_view s) {
  if (s.empty() || s.size() > 64 || !digit(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
           c == '~' || c == '+';
  });
}

ClamdReply parse_version(std::string_view rest, std::string_view whole) {
  ClamdReply r;
  r.kind = ClamdReplyKind::kVersion;
  std::size_t s1 = rest.find('/');
  if (s1 == std::string_view::npos) {
    if (!valid_engine(rest)) return unrecognised(whole);
    r.engine = std::string(rest);
    return r;
  }
  std::size_t s2 = rest.find('/', s1 + 1);
  if (s2 == std::string_view::npos) return unrecognised(whole);
  std::string_view engine = rest.substr(0, s1);
  std::string_view db = rest.substr(s1 + 1, s2 - s1 - 1);
  std::string_view date = rest.substr(s2 + 1);
  if (!valid_engine(engine) || !all_digits(db) || db.size() > 12 || date.empty() ||
      date.size() > 64 || date.find('/') != std::string_view::npos || date.front() == ' ')
    return unrecognised(whole);
  r.engine = std::string(engine);
  r.database = std::string(db);
  r.database_date = std::string(date);
  return r;
}

// Strips "stream: " or "fd[N]: " into `source`; false when neither prefix is there.
bool take_source(std::string_view& s, std::string& source) {
  constexpr std::string_view kStream = "stream: ";
  if (s.starts_with(kStream)) {
    source = "stream";
    s.remove_prefix(kStream.size());
    return true;
  }
  if (!s.starts_with("fd[")) return false;
  std::size_t close = s.find("]: ");
  if (close == std::string_view::npos) return false;
  std::string_view n = s.substr(3, close - 3);
  if (!all_digits(n) || n.size() > 10) return false;
  source = std::string(s.substr(0, close + 1));
  s.remove_prefix(close + 3);
  return true;
}

}  // namespace

std::string sanitize_for_log(std::string_view bytes, std::size_t max) {
  std::string out;
  for (char c : bytes.substr(0, max)) out += printable(c) ? c : '?';
  if (bytes.size() > max) out += "...";
  return out;
}

std::string ClamdReply::version_string() const {
  return database.empty() ? engine : engine + "/" + database;
}

ClamdReply parse_clamd_reply(std::string_view reply) {
  if (reply.size() > kMaxClamdReply)
    return error_reply("clamd reply longer than " + std::to_string(kMaxClamdReply) + " bytes");
  if (reply.empty()) return error_reply("empty clamd reply");
  if (!std::all_of(reply.begin(), reply.end(), printable))
    return error_reply("clamd reply contains control or non-ASCII bytes: \"" +
                       sanitize_for_log(reply) + "\"");
  if (reply == "PONG") {
    ClamdReply r;
    r.kind = ClamdReplyKind::kPong;
    return r;
  }
  constexpr std::string_view kVersion = "ClamAV ";
  if (reply.starts_with(kVersion)) return parse_version(reply.substr(kVersion.size()), reply);

  std::string_view rest = reply;
  std::string source;
  bool has_source = take_source(rest, source);

  constexpr std::string_view kError = " ERROR";
  if (rest.size() > kError.size() && rest.ends_with(kError)) {
    ClamdReply r = error_reply("clamd: " + sanitize_for_log(reply));
    r.source = source;
    return r;
  }
  if (!has_source) return unrecognised(reply);
  if (rest == "OK") {
    ClamdReply r;
    r.kind = ClamdReplyKind::kClean;
    r.source = source;
    return r;
  }
  constexpr std::string_view kFound = " FOUND";
  if (rest.size() > kFound.size() && rest.ends_with(kFound)) {
    std::string_view name = rest.substr(0, rest.size() - kFound.size());
    if (name.empty() || name.size() > 1024 || name.find(' ') != std::string_view::npos)
      return unrecognised(reply);
    ClamdReply r;
    r.kind = ClamdReplyKind::kFound;
    r.source = source;
    r.signature = std::string(name);
    return r;
  }
  return unrecognised(reply);
}

ClamdReply parse_clamd_session_reply(std::string_view reply, unsigned* id) {
  *id = 0;
  std::size_t i = 0;
  while (i < reply.size() && i < 10 && digit(reply[i])) ++i;
  if (i == 0 || i >= 10 || reply.substr(i, 2) != ": ") {
    ClamdReply r = parse_clamd_reply(reply);
    if (r.kind != ClamdReplyKind::kError) return unrecognised(reply);  // session needs an id
    return r;
  }
  unsigned value = 0;
  for (std::size_t k = 0; k < i; ++k) value = value * 10 + static_cast<unsigned>(reply[k] - '0');
  if (value == 0) return unrecognised(reply);
  *id = value;
  return parse_clamd_reply(reply.substr(i + 2));
}

}  // namespace qscan::daemons
