// spamd protocol (SPAMC/1.5) over a descriptor the supervisor connected. Runs inside the
// confined worker: only sendmsg/recvmsg/poll on sock_fd, one deadline for the exchange.
//
// Request:  HEADERS SPAMC/1.5\r\n Content-length: <n>\r\n [User: <user>\r\n] \r\n <message>
// HEADERS is the one command that yields both the verdict line (score, threshold, spam
// flag) and the X-Spam-* headers SpamAssassin would add, as the site's SpamAssassin config
// (add_header, report templates) shapes them; we keep only those headers, not its body
// rewrite. spamd answers, then closes the connection; the answer is parsed by
// parse_spamd_response() and read with a bound of spamd_reply_limit(message size).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/records.h"

namespace qscan::daemons {

struct SpamdCheckResult {
  bool ok = false;
  std::string error;       // when !ok, for the log line
  std::string protocol;    // spamd's protocol version, "SPAMD/1.1"
  std::string sa_version;  // "4.0.1" from X-Spam-Checker-Version, "" if absent
  bool is_spam = false;
  std::string score;                       // "1003.3"
  std::string threshold;                   // "5.0"
  std::vector<ipc::HeaderRecord> headers;  // X-Spam-* to add, in spamd's order

  // For the Received: report: "4.0.1 (SPAMD/1.1)", or "SPAMD/1.1" without a version header.
  std::string version_string() const;
};

// The request head for a message of `length` bytes; "" when `user` is not a valid user
// name (control bytes, over 256 bytes). An empty user sends no User: line.
std::string spamd_request_head(std::size_t length, std::string_view user);

// How many reply bytes we accept: the message's header block comes back, plus what
// SpamAssassin adds. message_size + 256 KiB, at most 64 MiB.
std::size_t spamd_reply_limit(std::size_t message_size);

// Interprets a complete reply (pure).
SpamdCheckResult interpret_spamd_reply(std::string_view bytes);

SpamdCheckResult spamd_check(int sock_fd, std::span<const std::byte> message,
                             const std::string& user, int timeout_ms);

}  // namespace qscan::daemons
