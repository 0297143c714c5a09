// Strict parser of clamd's replies (pure functions; no I/O). Anything not exactly one of
// the forms below is an error, and an error never reads as "clean": the message defers.
//
//   "stream: OK"                         clean (zINSTREAM)
//   "fd[12]: OK"                         clean (zFILDES)
//   "stream: <Signature> FOUND"          infected; <Signature> is printable ASCII, no spaces
//   "fd[12]: <Signature> FOUND"
//   "[stream: |fd[N]: ]<text> ERROR"     clamd's own failure, e.g. "INSTREAM size limit
//                                        exceeded. ERROR", "stream: Can't allocate memory ERROR"
//   "ClamAV 1.4.6/27000/Mon Nov 23 09:00:00 2026"   zVERSION (with a database)
//   "ClamAV 1.4.6"                                   zVERSION (no official database)
//   "PONG"                                           zPING
// A reply is given without its NUL terminator. In an IDSESSION each reply is prefixed with
// "<request id>: ".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qscan::daemons {

inline constexpr std::size_t kMaxClamdReply = 4096;  // one reply, terminator excluded

enum class ClamdReplyKind { kError, kClean, kFound, kVersion, kPong };

struct ClamdReply {
  ClamdReplyKind kind = ClamdReplyKind::kError;
  std::string source;         // "stream" or "fd[N]" for scan replies, else ""
  std::string signature;      // kFound
  std::string engine;         // kVersion: "1.4.6"
  std::string database;       // kVersion: "27000", "" without an official database
  std::string database_date;  // kVersion: "Mon Nov 23 09:00:00 2026" or ""
  std::string error;          // kError: readable reason (clamd's text, or what was wrong)

  // "1.4.6/27000" or "1.4.6": the form Qmail-Scanner's Received: report uses.
  std::string version_string() const;
};

ClamdReply parse_clamd_reply(std::string_view reply);

// A reply inside an IDSESSION: "<id>: <reply>". Sets *id (0 when the prefix is missing,
// which clamd only does for session-level errors; such a reply is always kError).
ClamdReply parse_clamd_session_reply(std::string_view reply, unsigned* id);

// For log lines: printable ASCII kept, anything else as '?', at most `max` characters.
std::string sanitize_for_log(std::string_view bytes, std::size_t max = 200);

}  // namespace qscan::daemons
