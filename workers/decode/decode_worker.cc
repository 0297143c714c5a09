// Entry points of the decode worker: library setup before the fork, then one message.
#include "workers/decode_worker.h"

#include <gmime/gmime.h>

#include "ipc/records.h"
#include "workers/decode/charsets.h"
#include "workers/decode/context.h"
#include "workers/decode/mime_walker.h"

namespace qscan::workers {

void init_decoders() {
  static bool done = false;
  if (done) return;
  done = true;
  g_mime_init();
  decode::preload_charsets();
}

void run_decode(std::span<const std::byte> message, const DecodeOptions& options,
                ipc::ArenaWriter& arena) {
  init_decoders();  // no-op after the first call; the supervisor calls it before forking
  try {
    decode::Context ctx(options, arena);
    decode::walk_message(ctx, message);
  } catch (...) {
    // std::bad_alloc under the worker's address-space limit: whatever was written
    // stays; the missing parts are flagged so the message is not passed as clean.
    ipc::write_finding(arena, {"limit:max_decoded_bytes", "decoder out of memory", ""});
  }
  arena.finish();
}

}  // namespace qscan::workers
