// Supervisor side: connects to clamd or spamd. Workers may not create sockets, so the
// supervisor connects and hands the connected descriptor to a confined client worker.
//
// Address forms:
//   "/run/clamav/clamd.ctl"        a unix-domain stream socket (any string not starting
//   "unix:/run/clamav/clamd.ctl"   with "tcp:"; the "unix:" prefix is optional)
//   "tcp:127.0.0.1:3310"           TCP; host is a name, an IPv4 address or "[v6]"
//   "tcp:[::1]:3310"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/shared_memory.h"

namespace qscan::daemons {

struct DaemonAddress {
  bool is_unix = true;
  std::string path;  // unix
  std::string host;  // tcp, without brackets
  std::string port;  // tcp, digits
};

// Parses an address; false with `error` set when it is malformed (empty path, path too long
// for sockaddr_un, tcp without host or with a port outside 1..65535).
bool parse_daemon_address(std::string_view address, DaemonAddress& out, std::string* error);

// True for a unix-socket address (where clamd FILDES is possible).
bool is_unix_address(std::string_view address);

// Connects (non-blocking connect, then poll for at most timeout_ms in total over every
// address the host resolves to). The returned descriptor is blocking, close-on-exec.
// On failure: an invalid fd and `error` names the address and the reason.
ipc::UniqueFd connect_daemon(const std::string& address, int timeout_ms, std::string* error);

}  // namespace qscan::daemons
