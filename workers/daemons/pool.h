// Supervisor side: a pool of equivalent daemons (several clamd hosts for ISPs that outgrow
// one machine). Round robin picks the first address tried; a connect error fails over to
// the next one, each address tried at most once per call.
//
// qscand forks one supervisor per message, so a counter kept in the child would never
// advance: the caller passes a per-message sequence number (qscand's message counter, or
// e.g. the pid in standalone mode) and the start index is sequence % size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ipc/shared_memory.h"

namespace qscan::daemons {

// The order in which a call with this sequence number tries the addresses: a rotation of
// 0..count-1 starting at sequence % count. Empty for count 0.
std::vector<std::size_t> pool_order(std::size_t count, std::uint64_t sequence);

struct PoolConnection {
  ipc::UniqueFd fd;                   // invalid when every address failed
  std::string address;                // the address that answered
  bool is_unix = false;               // FILDES possible
  std::vector<std::string> failures;  // one line per address that failed, in order tried
};

// Tries the addresses in pool_order(addresses.size(), sequence), each with its own
// timeout_ms. On total failure `error` joins the failures ("; ").
PoolConnection connect_pool(const std::vector<std::string>& addresses, std::uint64_t sequence,
                            int timeout_ms, std::string* error);

}  // namespace qscan::daemons
