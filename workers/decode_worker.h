// The decode worker's job, run after sandboxing: parse the message and write every leaf,
// finding and header fact into the arena. Pure computation over memory; no syscalls
// beyond memory allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>

#include "ipc/arena_writer.h"

namespace qscan::workers {

struct DecodeOptions {
  std::uint64_t max_depth = 20;
  std::uint64_t max_parts = 5000;
  std::uint64_t max_decoded_bytes = 512ull << 20;
  std::uint64_t max_file_bytes = 100ull << 20;
  std::uint64_t max_compression_ratio = 200;
  std::uint64_t max_archive_entries = 10000;
  std::uint64_t max_header_bytes = 1ull << 20;
  std::set<std::string> disabled_checks;  // format-check names switched off
  bool block_password_protected = false;
};

// Never throws. Findings for limits use the check name "limit:<key>".
void run_decode(std::span<const std::byte> message, const DecodeOptions& options,
                ipc::ArenaWriter& arena);

// Process-wide library setup (g_mime_init), done once before forking workers so the
// child does not need to open files or read locale data after sandboxing.
void init_decoders();

}  // namespace qscan::workers
