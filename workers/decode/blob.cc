#include "workers/decode/blob.h"

#include "workers/decode/containers.h"
#include "workers/decode/mime_walker.h"
#include "workers/decode/name_checks.h"
#include "workers/decode/sniff.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

// Containers we recognise but have no decoder for: recorded, left to the scanner.
bool is_unsupported_container(std::string_view t) {
  return t == "arj" || t == "ole2" || t == "chm" || t == "binhex" || t == "szdd";
}

bool is_text(const Blob& b, std::string_view type) {
  return type == "text" && (b.content_type.empty() || b.content_type.starts_with("text/"));
}

// A message GMime did not parse inline (e.g. base64-encoded message/rfc822), or an
// .eml file inside an archive or TNEF.
bool is_embedded_message(const Blob& b) {
  if (b.content_type == "message/rfc822") return true;
  return !b.from_mime && !b.filenames.empty() && iends_with(b.filenames.front(), ".eml");
}

}  // namespace

void process_blob(Context& ctx, Blob blob) {
  if (ctx.arena_dead()) return;
  if (!ctx.take_part(blob.path)) return;
  std::string_view type = sniff_type(blob.data);
  run_name_checks(ctx, blob, type);
  bool truncated = (blob.flags & 2) != 0;
  if (!truncated && is_archive_type(type)) {
    Opened o = expand_archive(ctx, blob, type);
    if (o == Opened::kNo) blob.flags |= 4;          // kPartContainer: could not open
    if (o == Opened::kPartly) blob.flags |= 4 | 8;  // ... and partly unsupported
  } else if (!truncated && type == "tnef") {
    if (!expand_tnef(ctx, blob)) blob.flags |= 4;
  } else if (is_unsupported_container(type)) {
    blob.flags |= 4 | 8;  // kPartContainer | kPartUnsupported
  } else if (is_embedded_message(blob)) {
    walk_embedded_message(ctx, blob.data, blob.path, blob.depth);
  } else if (is_text(blob, type)) {
    expand_uuencoded(ctx, blob);
  }
  ctx.write_part(blob, type);
}

}  // namespace qscan::workers::decode
