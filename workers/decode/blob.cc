#include "workers/decode/blob.h"

#include "workers/decode/name_checks.h"
#include "workers/decode/sniff.h"

namespace qscan::workers::decode {

void process_blob(Context& ctx, Blob blob) {
  if (ctx.arena_dead()) return;
  if (!ctx.take_part(blob.path)) return;
  std::string_view type = sniff_type(blob.data);
  run_name_checks(ctx, blob, type);
  ctx.write_part(blob, type);
}

}  // namespace qscan::workers::decode
