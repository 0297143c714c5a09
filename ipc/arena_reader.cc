#include "ipc/arena_reader.h"

#include <cstring>

namespace qscan::ipc {
namespace {

ArenaReadResult fail(std::string why) {
  ArenaReadResult r;
  r.error = std::move(why);
  return r;
}

}  // namespace

ArenaReadResult read_arena(std::span<const std::byte> region, const ArenaLimits& limits) {
  if (region.size() < kArenaRecordsOffset) return fail("arena smaller than its header");
  ArenaHeader h;
  std::memcpy(&h, region.data(), sizeof h);
  if (h.magic != kArenaMagic) return fail("bad arena magic");
  if (h.version != kArenaVersion) return fail("bad arena version");
  if (h.capacity != region.size()) return fail("arena capacity does not match its mapping");
  if (h.complete != 1) return fail("arena not marked complete");
  if (h.used < kArenaRecordsOffset || h.used > region.size())
    return fail("arena used size out of range");
  if (h.record_count > limits.max_records) return fail("arena record count over limit");

  ArenaReadResult out;
  out.records.reserve(h.record_count);
  std::uint64_t pos = kArenaRecordsOffset;
  for (std::uint32_t i = 0; i < h.record_count; ++i) {
    if (pos % 8 != 0 || h.used - pos < sizeof(RecordHeader))
      return fail("record header out of range");
    RecordHeader rh;
    std::memcpy(&rh, region.data() + pos, sizeof rh);
    pos += sizeof rh;
    if (rh.length > h.used - pos) return fail("record length out of range");
    if (rh.field_count > limits.max_fields_per_record) return fail("record field count over limit");
    const std::uint64_t record_end = pos + rh.length;
    RecordView rv{static_cast<RecordKind>(rh.kind), {}};
    rv.fields.reserve(rh.field_count);
    for (std::uint32_t f = 0; f < rh.field_count; ++f) {
      if (record_end - pos < sizeof(FieldHeader)) return fail("field header out of range");
      FieldHeader fh;
      std::memcpy(&fh, region.data() + pos, sizeof fh);
      pos += sizeof fh;
      if (fh.reserved != 0) return fail("field reserved bits set");
      if (fh.length > record_end - pos) return fail("field length out of range");
      rv.fields.push_back({static_cast<FieldTag>(fh.tag), region.subspan(pos, fh.length)});
      const std::uint64_t padded = align8(fh.length);
      if (padded > record_end - pos) return fail("field padding out of range");
      pos += padded;
    }
    if (pos != record_end) return fail("record fields do not fill the record");
    out.records.push_back(std::move(rv));
  }
  if (pos != h.used) return fail("records do not end at the arena's used size");
  return out;
}

}  // namespace qscan::ipc
