// libFuzzer targets, one per decoder entry point, chosen at compile time with
// QSCAN_FUZZ_TARGET: 1 = whole message (MIME), 2 = uuencode, 3 = TNEF, 4 = archive.
// Limits are small so that a run explores structure rather than size.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workers/decode/containers.h"
#include "workers/decode/context.h"
#include "workers/decode_worker.h"

using namespace qscan::workers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool init = (init_decoders(), true);
  (void)init;
  static std::vector<std::byte> region(8 << 20);
  DecodeOptions o;
  o.max_decoded_bytes = 4 << 20;
  o.max_file_bytes = 1 << 20;
  o.max_parts = 500;
  o.max_archive_entries = 200;
  qscan::ipc::ArenaWriter w(region);
  auto bytes = std::span(reinterpret_cast<const std::byte*>(data), size);
#if QSCAN_FUZZ_TARGET == 1
  run_decode(bytes, o, w);
#else
  decode::Context ctx(o, w);
  decode::Blob b;
  b.path = "1";
  b.data.assign(bytes.begin(), bytes.end());
  b.size = size;
#if QSCAN_FUZZ_TARGET == 2
  b.content_type = "text/plain";
  decode::expand_uuencoded(ctx, b);
#elif QSCAN_FUZZ_TARGET == 3
  decode::expand_tnef(ctx, b);
#else
  decode::expand_archive(ctx, b, "zip");
#endif
  w.finish();
#endif
  return 0;
}
