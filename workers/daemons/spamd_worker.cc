#include "workers/daemons/spamd_worker.h"

#include "workers/daemons/spam_result.h"
#include "workers/daemons/spamd_client.h"

namespace qscan::daemons {

void run_spamd_check(int sock_fd, std::span<const std::byte> message, const std::string& user,
                     int timeout_ms, ipc::ArenaWriter& arena) {
  write_spam_result(arena, spamd_check(sock_fd, message, user, timeout_ms));
}

}  // namespace qscan::daemons
