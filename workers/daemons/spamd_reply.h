// Strict parser of spamd's answer to a SPAMC/1.5 HEADERS request (pure functions).
//
//   SPAMD/1.1 0 EX_OK\r\n                   status line: protocol, code, message
//   Content-length: 556\r\n                  exactly once
//   Spam: True ; 1003.3 / 5.0\r\n            exactly once: True|False|Yes|No ; score / required
//   \r\n
//   <Content-length bytes: the message's header block as SpamAssassin rewrote it>
//
// A non-zero code ("SPAMD/1.0 76 Bad header line: ...") is an error carrying spamd's text.
// Other response headers are accepted only when well formed ("Name: value"); a missing
// or repeated Content-length or Spam header, a body of another length, bytes after it,
// control bytes in the header section, or more than the caller's bound is an error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/records.h"

namespace qscan::daemons {

inline constexpr std::size_t kMaxSpamdResponseHead = 8192;  // status line + headers
inline constexpr std::size_t kMaxSpamHeaders = 64;          // X-Spam-* headers kept

struct SpamdResponse {
  bool ok = false;
  std::string error;     // when !ok
  std::string protocol;  // "SPAMD/1.1"
  bool is_spam = false;
  std::string score;      // as spamd printed it: "1003.3", "-0.1"
  std::string threshold;  // "5.0"
  std::string body;       // the Content-length bytes
};

SpamdResponse parse_spamd_response(std::string_view bytes);

// From a header block (HEADERS body, LF or CRLF lines, ends at the first empty line):
// every X-Spam-* header, in order, the name as written and the value without the one
// space after the colon; folded lines are kept as "\n" + their leading whitespace, no CR.
// False (with `error`) when an X-Spam-* header is malformed or there are too many.
bool extract_spam_headers(std::string_view header_block, std::vector<ipc::HeaderRecord>& out,
                          std::string* error);

// "4.0.1" from an X-Spam-Checker-Version value "SpamAssassin 4.0.1 (2024-03-25) on host";
// "" when absent or not in that form.
std::string spamassassin_version(const std::vector<ipc::HeaderRecord>& headers);

// A spamd number: optional '-', 1..9 digits, optional '.' and 1..4 digits.
bool valid_spamd_number(std::string_view s);

}  // namespace qscan::daemons
