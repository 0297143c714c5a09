// What qmail-smtpd's environment (set by tcpserver and its rules) tells about the client.
#pragma once

#include <string>

namespace qscan::supervisor {

struct ClientInfo {
  bool relay_client = false;            // RELAYCLIENT set (even empty)
  std::string remote_ip = "127.0.0.1";  // TCPREMOTEIP, 127.0.0.1 when absent (local injection)
  std::string remote_host;              // TCPREMOTEHOST
  std::string remote_info;              // TCPREMOTEINFO
  bool force_spamassassin = false;      // QS_SPAMASSASSIN=on
};

ClientInfo client_from_environment();

}  // namespace qscan::supervisor
