#include "supervisor/test_faults.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ipc/arena_format.h"

namespace qscan::supervisor {

std::string_view test_fault_for(hardening::WorkerKind kind) {
#ifdef QSCAN_TEST_HOOKS
  const char* v = std::getenv("QSCAN_TEST_FAULT");
  if (!v) return {};
  std::string_view s(v);
  std::string_view name = hardening::worker_name(kind);
  if (s.size() > name.size() && s.substr(0, name.size()) == name && s[name.size()] == ':')
    return s.substr(name.size() + 1);
#else
  (void)kind;
#endif
  return {};
}

namespace {

// A real memory fault (raise() would need signal syscalls the profiles forbid).
[[noreturn]] void crash_now() {
  *static_cast<volatile int*>(nullptr) = 1;  // NOLINT(clang-analyzer-core.NullDereference)
  ::_exit(1);
}

}  // namespace

void trigger_fault_before_job(std::string_view fault, const std::string& scratch_dir) {
  if (fault.empty()) return;
  if (fault == "litter" && !scratch_dir.empty()) {
    // Scan worker: leaves a private directory and a file in its scratch dir, then crashes,
    // as a worker killed mid-scan leaves libclamav's temp files.
    const std::string sub = scratch_dir + "/litter";
    ::mkdir(sub.c_str(), 0700);
    int fd = ::open((sub + "/tmp-file").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && ::write(fd, "x", 1) == 1) ::close(fd);
    crash_now();
  }
  if (fault == "open") {
    int fd = ::open("/etc/passwd", O_RDONLY);
    (void)fd;
  } else if (fault == "socket") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    (void)fd;
  } else if (fault == "execve") {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, nullptr);
  } else if (fault == "hang") {
    for (;;) {
    }
  } else if (fault == "crash") {
    crash_now();
  }
}

void apply_arena_fault(std::string_view fault, std::span<std::byte> arena) {
  if (arena.size() < ipc::kArenaRecordsOffset + sizeof(ipc::RecordHeader)) return;
  if (fault == "corrupt-arena") {
    // A record claiming to be far longer than the arena.
    ipc::RecordHeader rh;
    std::memcpy(&rh, arena.data() + ipc::kArenaRecordsOffset, sizeof rh);
    rh.length = ~std::uint64_t{0} - 7;
    std::memcpy(arena.data() + ipc::kArenaRecordsOffset, &rh, sizeof rh);
  } else if (fault == "used-out-of-range") {
    // The header claims records end beyond the region the worker was given.
    ipc::ArenaHeader h;
    std::memcpy(&h, arena.data(), sizeof h);
    h.used = h.capacity + 4096;
    std::memcpy(arena.data(), &h, sizeof h);
  } else if (fault == "field-out-of-range") {
    // The first field claims a length that also overflows 8-byte alignment.
    ipc::FieldHeader fh;
    const std::size_t at = ipc::kArenaRecordsOffset + sizeof(ipc::RecordHeader);
    if (arena.size() < at + sizeof fh) return;
    std::memcpy(&fh, arena.data() + at, sizeof fh);
    fh.length = ~std::uint64_t{0} - 3;
    std::memcpy(arena.data() + at, &fh, sizeof fh);
  } else if (fault == "overlap-records") {
    // The first record claims fewer bytes than its own fields take, so its last field
    // overlaps the next record's header.
    ipc::RecordHeader rh;
    std::memcpy(&rh, arena.data() + ipc::kArenaRecordsOffset, sizeof rh);
    if (rh.length >= 8) rh.length -= 8;
    std::memcpy(arena.data() + ipc::kArenaRecordsOffset, &rh, sizeof rh);
  } else if (fault == "huge-count") {
    ipc::ArenaHeader h;
    std::memcpy(&h, arena.data(), sizeof h);
    h.record_count = 0xffffffffu;
    std::memcpy(arena.data(), &h, sizeof h);
  }
}

void after_report_fault(std::string_view fault, std::span<std::byte> arena) {
  if (fault == "crash-after-report") {
    crash_now();
  } else if (fault == "write-after-report") {
    // Long enough for the supervisor to have read the byte (clock_gettime is the vDSO: no
    // syscall the profile would refuse).
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    while (std::chrono::steady_clock::now() < until) {
    }
    apply_arena_fault("corrupt-arena", arena);
  }
}

}  // namespace qscan::supervisor
