// Supervisor side of the arena: structural validation. Nothing a worker wrote is used
// before it has passed through here; typed checks follow in records.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipc/arena_format.h"

namespace qscan::ipc {

struct ArenaLimits {
  std::uint64_t max_records = 100000;
  std::uint32_t max_fields_per_record = 256;
};

struct FieldView {
  FieldTag tag;
  std::span<const std::byte> bytes;
};

struct RecordView {
  RecordKind kind;
  std::vector<FieldView> fields;
};

struct ArenaReadResult {
  std::vector<RecordView> records;  // empty if error is set
  std::string error;                // why the arena was rejected; empty on success
  bool ok() const { return error.empty(); }
};

// Checks magic, version, capacity, completion, every record and field length, the
// record count and that records tile the used area exactly. The spans point into
// `region`, which must stay mapped (and unchanged: the worker has exited) while used.
ArenaReadResult read_arena(std::span<const std::byte> region, const ArenaLimits& limits);

}  // namespace qscan::ipc
