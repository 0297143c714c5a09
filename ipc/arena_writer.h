// Worker side of the arena: appends records, never writes past the region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ipc/arena_format.h"

namespace qscan::ipc {

class ArenaWriter {
 public:
  // Initialises the header in `region` (which must be at least kArenaRecordsOffset bytes).
  explicit ArenaWriter(std::span<std::byte> region);

  // A record is built field by field and only becomes visible at end_record().
  // Every call returns false once the region is full; the open record is then dropped.
  bool begin_record(RecordKind kind);
  bool add_bytes(FieldTag tag, std::span<const std::byte> bytes);
  bool add_string(FieldTag tag, std::string_view s);
  bool add_u64(FieldTag tag, std::uint64_t v);
  // For large payloads written in place: the free space a field's payload may use,
  // then commit_field() with the number of bytes actually written there.
  std::span<std::byte> field_space();
  bool commit_field(FieldTag tag, std::size_t n);
  bool end_record();
  void abort_record();

  // Marks the arena complete; the supervisor rejects an arena without it.
  void finish();

  bool full() const { return full_; }
  std::size_t free_bytes() const;

 private:
  ArenaHeader* header() const;

  std::span<std::byte> region_;
  std::uint64_t committed_ = kArenaRecordsOffset;  // end of last committed record
  std::uint64_t cursor_ = kArenaRecordsOffset;     // write position inside open record
  std::uint32_t open_fields_ = 0;
  bool open_ = false;
  bool full_ = false;
};

}  // namespace qscan::ipc
