// The thin client <-> qscand protocol on the daemon's unix socket.
//   request: one datagram-like sendmsg: "QSQ1" + (NAME=VALUE\0)* with fds [message, envelope]
//   reply:   "QSR1" + exit code as 3 decimal digits + optional custom reply text (<= 255 bytes)
// A connection that closes without a reply means the daemon died: the client exits 71.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qscan::ipc {

inline constexpr std::size_t kMaxRequestBytes = 16384;
inline constexpr std::size_t kMaxReplyBytes = 512;

// The environment variables qscan reads (RELAYCLIENT, TCPREMOTEIP, ...), forwarded by the
// client so the daemon-side supervisor sees what qmail-smtpd's environment said.
const std::vector<std::string>& forwarded_environment();

std::string encode_request(const std::vector<std::pair<std::string, std::string>>& env);
// nullopt on a malformed request (bad magic, missing '=', unknown name, oversize).
std::optional<std::vector<std::pair<std::string, std::string>>> decode_request(
    std::string_view data);

struct DaemonReply {
  int exit_code = 0;
  std::string custom_text;  // for custom_error fd6/fd4: "D..." or "Z..."
};
std::string encode_reply(const DaemonReply& r);
std::optional<DaemonReply> decode_reply(std::string_view data);

}  // namespace qscan::ipc
