// The supervisor side of a worker's arena: exactly what pipeline.cc and daemon_scans.cc do
// with the shared mapping once the worker has exited -- read_arena() (structure), then
// decode_records() (typed checks), then decode_spam_result() for a spamd worker's arena.
//
// Each input is run twice:
//   1. as is: the bytes are the whole mapping;
//   2. with the header's magic, version, capacity and complete fields made valid, as a
//      hostile worker that knows the format would write them (it controls every byte of the
//      mapping), so that libFuzzer's length-changing mutations still reach the record walk.
//      used and record_count stay as the input says.
// The region is a fresh heap copy of exactly the input's size, so ASan sees any read past
// the mapping.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "ipc/arena_format.h"
#include "ipc/arena_reader.h"
#include "ipc/records.h"
#include "tests/fuzz/fuzz_check.h"
#include "workers/daemons/spam_result.h"

using namespace qscan;

static void supervise(std::span<const std::byte> region) {
  ipc::ArenaReadResult rr = ipc::read_arena(region, {});
  FUZZ_CHECK(rr.ok() || rr.records.empty());
  for (const ipc::RecordView& r : rr.records)
    for (const ipc::FieldView& f : r.fields) {
      FUZZ_CHECK(f.bytes.data() >= region.data());
      FUZZ_CHECK(f.bytes.data() + f.bytes.size() <= region.data() + region.size());
    }
  ipc::DecodeLimits limits;
  limits.max_depth = 20;  // as pipeline.cc: the configured max_depth
  ipc::DecodedArena decoded;
  std::string bad = ipc::decode_records(rr, limits, decoded);
  if (!bad.empty()) return;
  daemons::SpamResult spam = daemons::decode_spam_result(decoded);
  if (!spam.failed) FUZZ_CHECK(spam.error.empty());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::unique_ptr<std::byte[]> region(new std::byte[size ? size : 1]);
  if (size) std::memcpy(region.get(), data, size);
  supervise(std::span<const std::byte>(region.get(), size));

  if (size >= sizeof(ipc::ArenaHeader)) {
    ipc::ArenaHeader h;
    std::memcpy(&h, region.get(), sizeof h);
    h.magic = ipc::kArenaMagic;
    h.version = ipc::kArenaVersion;
    h.capacity = size;
    h.complete = 1;
    std::memcpy(region.get(), &h, sizeof h);
    supervise(std::span<const std::byte>(region.get(), size));
  }
  return 0;
}
