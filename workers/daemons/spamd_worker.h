// The spamd client worker's job, run after sandboxing with a descriptor the supervisor
// connected: one HEADERS exchange, the result written as spam_result.h describes.
// The caller (worker runner) finishes the arena.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "ipc/arena_writer.h"

namespace qscan::daemons {

void run_spamd_check(int sock_fd, std::span<const std::byte> message, const std::string& user,
                     int timeout_ms, ipc::ArenaWriter& arena);

}  // namespace qscan::daemons
