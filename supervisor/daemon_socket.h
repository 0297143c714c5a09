// qscand's listening socket and the peer check on each connection.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ipc/shared_memory.h"

namespace qscan::supervisor {

// Binds and listens on `path` (creating its directory, replacing a stale socket). Mode
// 0660 so only the owner and the socket's group (the qmail daemons) can connect.
ipc::UniqueFd listen_unix(const std::string& path, std::string* error);

// SO_PEERCRED check: true if `allowed` is empty or holds the peer's uid.
bool peer_allowed(int conn, const std::vector<std::int64_t>& allowed, uid_t* peer_uid);

}  // namespace qscan::supervisor
