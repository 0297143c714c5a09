// Writes valid worker arenas as fuzz_arena seeds: each file is a whole mapping whose header
// capacity equals the file size, made with ipc::ArenaWriter and the write_* of records.h
// (and write_spam_result for the spamd worker's form).
//   fuzz_arena_seeds <dir>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "ipc/arena_format.h"
#include "ipc/arena_writer.h"
#include "ipc/records.h"
#include "workers/daemons/spam_result.h"

using namespace qscan;

static std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// Writes into a large region, then cuts it to the used size and sets capacity to match: the
// arena a worker with a mapping of exactly that size would leave.
static void emit(const std::string& dir, const std::string& name,
                 const std::function<void(ipc::ArenaWriter&)>& fill) {
  std::vector<std::byte> region(1 << 16);
  ipc::ArenaWriter w(region);
  fill(w);
  w.finish();
  ipc::ArenaHeader h;
  std::memcpy(&h, region.data(), sizeof h);
  h.capacity = h.used;
  std::memcpy(region.data(), &h, sizeof h);
  region.resize(h.used);
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(region.data()),
             static_cast<std::streamsize>(region.size()));
  ipc::DecodedArena d;
  std::string bad = ipc::decode_records(ipc::read_arena(region, {}), {}, d);
  std::printf("%s: %zu bytes%s%s\n", name.c_str(), region.size(),
              bad.empty() ? "" : ", rejected: ", bad.c_str());
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_arena_seeds <dir>\n");
    return 2;
  }
  const std::string dir = argv[1];
  emit(dir, "empty", [](ipc::ArenaWriter&) {});
  emit(dir, "decode-parts", [](ipc::ArenaWriter& w) {
    ipc::PartRecord p;
    p.path = "2/1/eicar.com";
    p.content_type = "application/octet-stream";
    p.filenames = {"eicar.com", "other.com"};
    p.encoding = "base64";
    p.decoder = "mime";
    p.detected_type = "text";
    p.size = 5;
    p.depth = 2;
    p.data = bytes_of("hello");
    ipc::write_part(w, p);
    ipc::PartRecord z;
    z.path = "2/report.zip/x.exe";
    z.content_type = "application/zip";
    z.filenames = {"x.exe"};
    z.decoder = "archive";
    z.detected_type = "pe";
    z.size = 100;
    z.flags = ipc::kPartEncrypted | ipc::kPartTruncated;
    z.depth = 3;
    z.data = bytes_of("MZ");
    ipc::write_part(w, z);
    ipc::write_header(w, {"Subject", "hello =?utf-8?q?world?="});
    ipc::write_header(w, {"From", "a@b.example"});
    ipc::write_finding(w, {"long_boundary", "boundary of 300 characters", ""});
    ipc::write_finding(w, {"limit:max_depth", "depth 21", "2/1"});
    ipc::write_crypto(w, "PGP(signed)");
  });
  emit(dir, "rewritten-message", [](ipc::ArenaWriter& w) {
    ipc::write_header(w, {"Subject", "x"});
    ipc::write_rewritten_message(w, bytes_of("Subject: x\r\n\r\nbody\r\n"));
  });
  emit(dir, "scan-hit", [](ipc::ArenaWriter& w) {
    ipc::write_scanner_info(w, {"clamav", "1.4.6/27000"});
    ipc::write_scan_hit(w, {"clamav", "Eicar-Test-Signature", "2/1/eicar.com"});
    ipc::write_scan_error(w, {"clamav", "CL_EMAXSIZE", "3"});
    ipc::write_scan_done(w, "clamav", 3);
  });
  emit(dir, "spamd-spam", [](ipc::ArenaWriter& w) {
    daemons::SpamdCheckResult r;
    r.ok = true;
    r.protocol = "SPAMD/1.1";
    r.sa_version = "4.0.1";
    r.is_spam = true;
    r.score = "1003.3";
    r.threshold = "5.0";
    r.headers = {{"X-Spam-Checker-Version", "SpamAssassin 4.0.1 (2024-03-25) on host"},
                 {"X-Spam-Flag", "YES"},
                 {"X-Spam-Status", "Yes, score=1003.3 required=5.0\n\ttests=GTUBE"}};
    daemons::write_spam_result(w, r);
  });
  emit(dir, "spamd-ham", [](ipc::ArenaWriter& w) {
    daemons::SpamdCheckResult r;
    r.ok = true;
    r.protocol = "SPAMD/1.1";
    r.score = "-0.1";
    r.threshold = "5.0";
    daemons::write_spam_result(w, r);
  });
  emit(dir, "spamd-failed", [](ipc::ArenaWriter& w) {
    daemons::SpamdCheckResult r;
    r.error = "spamd timed out";
    daemons::write_spam_result(w, r);
  });
  return 0;
}
