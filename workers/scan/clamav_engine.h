// The libclamav engine: loaded and compiled once in the supervisor (or qscand), then
// inherited by scan workers across fork, copy-on-write.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct cl_engine;

namespace qscan::workers {

struct ClamLimits {
  std::uint64_t max_scan_bytes = 512ull << 20;  // CL_ENGINE_MAX_SCANSIZE
  std::uint64_t max_file_bytes = 100ull << 20;  // CL_ENGINE_MAX_FILESIZE
  std::uint32_t max_recursion = 20;             // CL_ENGINE_MAX_RECURSION
  std::uint32_t max_files = 10000;              // CL_ENGINE_MAX_FILES
  std::uint32_t max_scan_ms = 60000;            // CL_ENGINE_MAX_SCANTIME
};

class ClamEngine {
 public:
  ClamEngine() = default;
  ~ClamEngine();
  ClamEngine(const ClamEngine&) = delete;
  ClamEngine& operator=(const ClamEngine&) = delete;

  // Loads every existing directory in `db_dirs` (missing ones are skipped; at least one
  // signature must load) and compiles the engine. Bytecode runs in the interpreter: the
  // JIT would need executable memory, which the scan worker's seccomp profile forbids.
  bool load(const std::vector<std::string>& db_dirs, const ClamLimits& limits, std::string* error);

  // In the scan worker, before sandboxing: where libclamav may put its temp files.
  bool set_tmpdir(const std::string& dir, std::string* error);

  const cl_engine* get() const { return engine_; }
  std::uint64_t signatures() const { return signatures_; }
  // "<libclamav version>/<database version>", as Qmail-Scanner's "clamscan: 0.99/2365." field.
  const std::string& version() const { return version_; }
  bool loaded() const { return engine_ != nullptr; }

 private:
  void warm_up();

  cl_engine* engine_ = nullptr;
  std::uint64_t signatures_ = 0;
  std::string version_;
};

// The signature directories used when config leaves clamav_db_dirs empty: the ones shipped
// with qscan (bin/../share/qscan/signatures, found from /proc/self/exe) and /var/lib/clamav.
std::vector<std::string> default_db_dirs();

}  // namespace qscan::workers
