// The scan worker's job, run after sandboxing: libclamav over the raw message and every
// decoded part, from memory (cl_fmap_open_memory), hits written into the arena.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ipc/arena_writer.h"
#include "workers/scan/clamav_engine.h"

namespace qscan::workers {

struct ScanItem {
  std::string path;  // "" for the raw message
  std::span<const std::byte> data;
  bool parse_mail = false;  // let libclamav parse it as mail (the raw message)
};

void run_clamav_scan(const ClamEngine& engine, const std::vector<ScanItem>& items,
                     ipc::ArenaWriter& arena);

}  // namespace qscan::workers
