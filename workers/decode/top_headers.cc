#include "workers/decode/top_headers.h"

#include "ipc/records.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

constexpr int kMaxHeaderRecords = 1000;

}  // namespace

void write_top_headers(Context& ctx, GMimeMessage* message) {
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(message));
  if (list == nullptr) return;
  int count = g_mime_header_list_get_count(list);
  std::uint64_t total = 0;
  for (int i = 0; i < count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* name = g_mime_header_get_name(h);
    const char* raw = g_mime_header_get_raw_value(h);
    if (name == nullptr) continue;
    std::string_view raw_value = raw != nullptr ? raw : "";
    total += std::string_view(name).size() + raw_value.size() + 2;
    if (total > ctx.options().max_header_bytes) {
      ctx.limit("max_header_bytes",
                "header block over " + std::to_string(ctx.options().max_header_bytes) + " bytes",
                "");
      break;
    }
    if (iequals(name, "DKIM-Signature")) ctx.crypto("DKIM");
    if (iequals(name, "DomainKey-Signature")) ctx.crypto("DomKeys");
    if (i >= kMaxHeaderRecords) continue;
    const char* value = g_mime_header_get_value(h);
    ipc::write_header(ctx.arena(),
                      {bounded_utf8(name, ipc::kMaxStringField),
                       bounded_utf8(value != nullptr ? value : "", ipc::kMaxValueField)});
  }
}

}  // namespace qscan::workers::decode
