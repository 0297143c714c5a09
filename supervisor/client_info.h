// What qmail-smtpd's environment (set by tcpserver and its rules) tells about the client.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace qscan::supervisor {

struct ClientInfo {
  bool relay_client = false;            // RELAYCLIENT set (even empty)
  std::string remote_ip = "127.0.0.1";  // TCPREMOTEIP, 127.0.0.1 when absent (local injection)
  std::string remote_host;              // TCPREMOTEHOST
  std::string remote_info;              // TCPREMOTEINFO
  bool force_spamassassin = false;      // QS_SPAMASSASSIN=on
};

ClientInfo client_from_environment();
// The same from the variables a thin client forwarded to qscand.
ClientInfo client_from_pairs(const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace qscan::supervisor
