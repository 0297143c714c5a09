#include "workers/daemons/clamd_worker.h"

#include <string>
#include <string_view>

#include "ipc/records.h"
#include "workers/daemons/clamd_client.h"

namespace qscan::daemons {
namespace {

// clamd appends ".UNOFFICIAL" to names from unsigned databases (ours, a site's local ones);
// report the name as the database spells it, as the in-worker libclamav scanner does.
std::string signature_name(std::string n) {
  constexpr std::string_view kSuffix = ".UNOFFICIAL";
  if (n.size() > kSuffix.size() && n.ends_with(kSuffix)) n.resize(n.size() - kSuffix.size());
  return n;
}

}  // namespace

void run_clamd_scan(int sock_fd, int message_memfd, std::span<const std::byte> message,
                    bool use_fildes, int timeout_ms, ipc::ArenaWriter& arena) {
  ClamdScanResult r =
      clamd_scan(sock_fd, use_fildes ? ClamdMethod::kFildes : ClamdMethod::kInstream, message_memfd,
                 message, timeout_ms);
  if (!r.version.empty()) ipc::write_scanner_info(arena, {kClamdScannerName, r.version});
  if (!r.ok) {
    ipc::write_scan_error(arena, {kClamdScannerName, r.error, ""});
  } else if (r.infected) {
    ipc::write_scan_hit(arena, {kClamdScannerName, signature_name(r.signature), ""});
  }
  ipc::write_scan_done(arena, kClamdScannerName, r.ok ? 1 : 0);
}

}  // namespace qscan::daemons
