#include "workers/scan/clamav_scan.h"

#include <clamav.h>

#include "ipc/records.h"

namespace qscan::workers {
namespace {

cl_scan_options scan_options(bool parse_mail) {
  cl_scan_options o{};
  o.general = CL_SCAN_GENERAL_HEURISTICS;
  o.parse = ~0u;
  if (!parse_mail) o.parse &= ~static_cast<unsigned>(CL_SCAN_PARSE_MAIL);
  o.heuristic = 0;
  o.mail = 0;
  return o;
}

// libclamav appends ".UNOFFICIAL" to names from unsigned databases (ours, a site's local
// ones); report the name as the database spells it, as policy regexes expect.
std::string signature_name(const char* virname) {
  std::string n = virname ? virname : "unknown";
  constexpr std::string_view kSuffix = ".UNOFFICIAL";
  if (n.size() > kSuffix.size() && n.ends_with(kSuffix)) n.resize(n.size() - kSuffix.size());
  return n;
}

}  // namespace

void run_clamav_scan(const ClamEngine& engine, const std::vector<ScanItem>& items,
                     ipc::ArenaWriter& arena) {
  ipc::write_scanner_info(arena, {"clamav", engine.version()});
  std::uint64_t scanned_items = 0;
  for (const ScanItem& item : items) {
    cl_fmap_t* map = cl_fmap_open_memory(item.data.data(), item.data.size());
    if (!map) {
      ipc::write_scan_error(arena, {"clamav", "cl_fmap_open_memory failed", item.path});
      continue;
    }
    cl_scan_options opts = scan_options(item.parse_mail);
    const char* virname = nullptr;
    unsigned long scanned = 0;
    const std::string label = item.path.empty() ? "message" : item.path;
    cl_error_t rc =
        cl_scanmap_callback(map, label.c_str(), &virname, &scanned, engine.get(), &opts, nullptr);
    cl_fmap_close(map);
    ++scanned_items;
    if (rc == CL_VIRUS) {
      ipc::write_scan_hit(arena, {"clamav", signature_name(virname), item.path});
    } else if (rc != CL_CLEAN) {
      ipc::write_scan_error(arena, {"clamav", cl_strerror(rc), item.path});
    }
  }
  ipc::write_scan_done(arena, "clamav", scanned_items);
}

}  // namespace qscan::workers
