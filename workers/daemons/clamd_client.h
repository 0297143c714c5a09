// clamd protocol over a descriptor the supervisor connected (see connect.h). Runs inside the
// confined worker: only sendmsg/recvmsg/poll on sock_fd, one deadline for the whole exchange.
//
// One connection carries the version query and the scan, as an IDSESSION:
//   zIDSESSION\0 zVERSION\0 <scan> zEND\0        replies "1: ClamAV ...\0" "2: stream: ...\0"
// where <scan> is
//   zINSTREAM\0 {4-byte big-endian length, bytes}* 0000      any socket
//   zFILDES\0 + one NUL byte carrying the sealed memfd (SCM_RIGHTS)   unix sockets only:
//                                                   clamd maps our memfd, nothing is copied
// The reply must be exactly the two NUL-terminated replies (any order) and then EOF;
// everything else (a missing reply, a third one, a wrong source, clamd's "ERROR", garbage,
// more than kMaxClamdSessionReply bytes, a timeout) is an error.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "workers/daemons/clamd_reply.h"

namespace qscan::daemons {

enum class ClamdMethod { kInstream, kFildes };

inline constexpr std::size_t kInstreamChunk = 64 * 1024;
inline constexpr std::size_t kMaxClamdSessionReply = 2 * kMaxClamdReply + 32;

struct ClamdScanResult {
  bool ok = false;        // a definitive answer: clean or infected
  bool infected = false;  // ok && a signature matched
  std::string signature;  // when infected
  std::string version;    // "1.4.6/27000" (or "1.4.6"), when clamd answered zVERSION
  std::string error;      // when !ok: the reason, for the log line
};

// Scans `message` (INSTREAM) or `message_memfd` (FILDES) within timeout_ms.
ClamdScanResult clamd_scan(int sock_fd, ClamdMethod method, int message_memfd,
                           std::span<const std::byte> message, int timeout_ms);

// Interprets the bytes clamd sent back for one IDSESSION as above (pure).
ClamdScanResult interpret_clamd_session(std::string_view bytes, ClamdMethod method);

// zVERSION alone on its own connection (e.g. for status output). kError on any failure.
ClamdReply clamd_version(int sock_fd, int timeout_ms);

}  // namespace qscan::daemons
