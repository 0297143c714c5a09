// One pass of libclamav over a file's bytes, the yardstick of issue 6's "decoded and
// scanned in <= 1.5x one libclamav pass": the same engine settings as the scan worker
// (limits from the defaults, heuristics on, every parser on), in memory, no sandbox, no
// fork, a cold cache. Prints the median and best of N passes in ms.
//   qscan-bench-clamav-pass FILE DBDIR [RUNS]
#include <clamav.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "policy/config.h"
#include "workers/scan/clamav_engine.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE DBDIR [RUNS]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  const qscan::policy::Config defaults;
  qscan::workers::ClamLimits limits;
  limits.max_scan_bytes = defaults.max_decoded_bytes;
  limits.max_file_bytes = defaults.max_file_bytes;
  limits.max_recursion = static_cast<std::uint32_t>(defaults.max_depth);
  limits.max_files = static_cast<std::uint32_t>(defaults.max_archive_entries);
  limits.max_scan_ms = static_cast<std::uint32_t>(defaults.worker_timeout_ms);
  const std::string tmp = std::filesystem::temp_directory_path() / "qscan-bench-clamav-pass";
  std::filesystem::create_directories(tmp);
  cl_scan_options opts{};
  opts.general = CL_SCAN_GENERAL_HEURISTICS;
  opts.parse = ~0u;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    // A fresh engine per pass: libclamav remembers clean content by hash, and each scan
    // worker starts with the cache empty.
    qscan::workers::ClamEngine engine;
    std::string error;
    if (!engine.load({argv[2]}, limits, &error) || !engine.set_tmpdir(tmp, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    cl_fmap_t* map = cl_fmap_open_memory(bytes.data(), bytes.size());
    const char* virname = nullptr;
    unsigned long scanned = 0;
    const cl_error_t rc =
        cl_scanmap_callback(map, "message", &virname, &scanned, engine.get(), &opts, nullptr);
    if (rc != CL_CLEAN && rc != CL_VIRUS) std::fprintf(stderr, "scan: %s\n", cl_strerror(rc));
    cl_fmap_close(map);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"median_ms\":%.3f,\"best_ms\":%.3f,\"runs\":%d,\"bytes\":%zu}\n",
              ms[ms.size() / 2], ms.front(), runs, bytes.size());
  std::filesystem::remove_all(tmp);
  return 0;
}
