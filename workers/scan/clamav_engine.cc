#include "workers/scan/clamav_engine.h"

#include <clamav.h>
#include <sys/stat.h>

#include <filesystem>
#include <mutex>

namespace qscan::workers {
namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool init_library(std::string* error) {
  static cl_error_t rc = [] {
    cl_error_t r = cl_init(CL_INIT_DEFAULT);
    // libclamav logs to stderr by default; the supervisor owns logging.
    cl_set_clcb_msg([](enum cl_msg, const char*, const char*, void*) {});
    return r;
  }();
  if (rc != CL_SUCCESS) {
    if (error) *error = std::string("cl_init: ") + cl_strerror(rc);
    return false;
  }
  return true;
}

}  // namespace

ClamEngine::~ClamEngine() {
  if (engine_) cl_engine_free(engine_);
}

bool ClamEngine::load(const std::vector<std::string>& db_dirs, const ClamLimits& limits,
                      std::string* error) {
  if (!init_library(error)) return false;
  engine_ = cl_engine_new();
  if (!engine_) {
    if (error) *error = "cl_engine_new failed";
    return false;
  }
  cl_engine_set_num(engine_, CL_ENGINE_BYTECODE_MODE, CL_BYTECODE_MODE_INTERPRETER);
  cl_engine_set_num(engine_, CL_ENGINE_MAX_SCANSIZE, static_cast<long long>(limits.max_scan_bytes));
  cl_engine_set_num(engine_, CL_ENGINE_MAX_FILESIZE, static_cast<long long>(limits.max_file_bytes));
  cl_engine_set_num(engine_, CL_ENGINE_MAX_RECURSION, limits.max_recursion);
  cl_engine_set_num(engine_, CL_ENGINE_MAX_FILES, limits.max_files);
  cl_engine_set_num(engine_, CL_ENGINE_MAX_SCANTIME, limits.max_scan_ms);

  unsigned int sigs = 0;
  bool any = false;
  for (const std::string& dir : db_dirs) {
    if (!is_dir(dir)) continue;
    cl_error_t rc = cl_load(dir.c_str(), engine_, &sigs, CL_DB_STDOPT);
    if (rc != CL_SUCCESS) {
      if (error) *error = "cl_load " + dir + ": " + cl_strerror(rc);
      return false;
    }
    any = true;
  }
  if (!any || sigs == 0) {
    if (error) *error = "no ClamAV signatures found in any of clamav_db_dirs";
    return false;
  }
  cl_error_t rc = cl_engine_compile(engine_);
  if (rc != CL_SUCCESS) {
    if (error) *error = std::string("cl_engine_compile: ") + cl_strerror(rc);
    return false;
  }
  signatures_ = sigs;
  int err = 0;
  long long dbver = cl_engine_get_num(engine_, CL_ENGINE_DB_VERSION, &err);
  version_ = std::string(cl_retver()) + "/" + std::to_string(err == 0 ? dbver : 0);
  warm_up();
  return true;
}

// One scan of a constant, built-in buffer, in the loading process: libclamav initialises
// OpenSSL (configuration, providers, digest tables) on its first hash, and every scan worker
// is a fresh fork, so without this each of them paid that start-up (~0.7 ms of CPU per
// message, and a refused open of openssl.cnf inside the sandbox). Trusted bytes only: no
// message is ever scanned outside a worker.
void ClamEngine::warm_up() {
  static constexpr char kText[] = "qscan engine warm-up: plain text, no signature matches this\n";
  cl_fmap_t* map = cl_fmap_open_memory(kText, sizeof kText - 1);
  if (map == nullptr) return;
  cl_scan_options opts{};
  opts.general = CL_SCAN_GENERAL_HEURISTICS;
  opts.parse = ~0u;
  const char* virname = nullptr;
  unsigned long scanned = 0;
  cl_scanmap_callback(map, "warm-up", &virname, &scanned, engine_, &opts, nullptr);
  cl_fmap_close(map);
}

bool ClamEngine::set_tmpdir(const std::string& dir, std::string* error) {
  if (cl_engine_set_str(engine_, CL_ENGINE_TMPDIR, dir.c_str()) != CL_SUCCESS) {
    if (error) *error = "cannot set libclamav temp dir";
    return false;
  }
  return true;
}

std::vector<std::string> default_db_dirs() {
  std::vector<std::string> dirs;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path().parent_path() / "share/qscan/signatures").string());
  // freshclam's databases, when there are any (the package creates the directory empty).
  bool has_db = false;
  for (const auto& e : std::filesystem::directory_iterator("/var/lib/clamav", ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".cvd" || ext == ".cld" || ext == ".cud") has_db = true;
  }
  if (has_db) dirs.push_back("/var/lib/clamav");
  return dirs;
}

}  // namespace qscan::workers
