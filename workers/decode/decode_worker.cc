// Entry points of the decode worker: library setup before the fork, then one message.
#include "workers/decode_worker.h"

#include <gmime/gmime.h>

#include <cstdlib>
#include <ctime>

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
  // mktime()/localtime() (libarchive's DOS times, GLib's dates) re-stat /etc/localtime on
  // every call while TZ is unset; with TZ set and unchanged glibc keeps what it loaded.
  // ":/etc/localtime" means the same zone, so the process's local time is unchanged
  // (a zone change on the host is then seen at the next restart).
  setenv("TZ", ":/etc/localtime", 0);
  tzset();
  GDateTime* d = g_mime_utils_header_decode_date("Tue, 24 Nov 2026 10:00:00 +0000");
  if (d != nullptr) g_date_time_unref(d);
  GTimeZone* tz = g_time_zone_new_local();
  if (tz != nullptr) g_time_zone_unref(tz);
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
