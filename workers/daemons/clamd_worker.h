// The clamd client worker's job, run after sandboxing with a descriptor the supervisor
// connected. Arena records written (scanner name "clamd"):
//   kScannerInfo {scanner "clamd", version "1.4.6/27000"}   when clamd answered VERSION
//   kScanHit     {scanner "clamd", name <signature>, path ""} when infected
//   kScanError   {scanner "clamd", detail <reason>, path ""}  on any failure: the supervisor
//                                                             defers the message (71)
//   kScanDone    {scanner "clamd", count 1 if clamd gave a definitive answer, else 0}
// The caller (worker runner) finishes the arena.
#pragma once

#include <cstddef>
#include <span>

#include "ipc/arena_writer.h"

namespace qscan::daemons {

inline constexpr char kClamdScannerName[] = "clamd";

// use_fildes: pass message_memfd over SCM_RIGHTS (unix sockets only); else zINSTREAM
// streams `message`.
void run_clamd_scan(int sock_fd, int message_memfd, std::span<const std::byte> message,
                    bool use_fildes, int timeout_ms, ipc::ArenaWriter& arena);

}  // namespace qscan::daemons
