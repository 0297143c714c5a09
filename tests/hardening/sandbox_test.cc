// Real sandboxes, real kernel verdicts: legitimate work inside each profile succeeds, and the
// limits and layers hold.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hardening/landlock.h"
#include "hardening/sandbox.h"
#include "hardening/seccomp_profile.h"

namespace qscan::hardening {
namespace {

struct Outcome {
  int exit_code = -1;
  int signal = 0;
};

// Forks, sandboxes the child as `kind`, runs `body` (its return value is the exit code).
Outcome run_sandboxed(WorkerKind kind, SandboxOptions o, const std::function<int(int)>& body) {
  int p[2];
  EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    o.result_fd = p[1];
    if (kind == WorkerKind::kDaemonClient && o.peer_fd < 0) o.peer_fd = p[1];
    std::string error;
    if (!enter_sandbox(kind, o, nullptr, &error)) ::_exit(99);
    ::_exit(body(p[1]));
  }
  ::close(p[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(p[0]);
  Outcome out;
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  return out;
}

TEST(Sandbox, DecodeWorkerCanAllocateAndReport) {
  Outcome o = run_sandboxed(WorkerKind::kDecode, {}, [](int result_fd) {
    std::vector<char> big(64u << 20, 'x');  // mmap-backed allocation
    std::string s(1000, 'y');
    return ::write(result_fd, "K", 1) == 1 && big[12345] == 'x' ? 0 : 1;
  });
  EXPECT_EQ(o.signal, 0);
  EXPECT_EQ(o.exit_code, 0);
}

TEST(Sandbox, DecodeWorkerIsKilledForWritingToStdout) {
  Outcome o =
      run_sandboxed(WorkerKind::kDecode, {}, [](int) { return ::write(1, "x", 1) >= 0 ? 0 : 1; });
  EXPECT_EQ(o.signal, SIGSYS);
}

TEST(Sandbox, ScanWorkerUsesItsScratchDirectoryOnly) {
  if (landlock_abi() == 0) GTEST_SKIP() << "Landlock not available on this kernel";
  char tmpl[] = "/tmp/qscan-sbx-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string outside = dir + "-outside";
  ASSERT_EQ(::close(::open(outside.c_str(), O_CREAT | O_WRONLY, 0644)), 0);
  SandboxOptions so;
  so.scratch_dir = dir;
  so.max_file_size = 1 << 20;
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  }
  Outcome o = run_sandboxed(WorkerKind::kScan, so, [&](int) {
    const std::string f = dir + "/clamav-tmp";
    int fd = ::open(f.c_str(), O_CREAT | O_RDWR | O_EXCL, 0600);
    if (fd < 0) return 10;
    if (::write(fd, "data", 4) != 4 || ::lseek(fd, 0, SEEK_SET) != 0) return 11;
    char b[4];
    if (::read(fd, b, 4) != 4 || std::memcmp(b, "data", 4) != 0) return 12;
    ::close(fd);
    if (::unlink(f.c_str()) != 0) return 13;
    if (::mkdir((dir + "/sub").c_str(), 0700) != 0 || ::rmdir((dir + "/sub").c_str()) != 0)
      return 14;
    // Outside the scratch directory: Landlock refuses.
    if (::open(outside.c_str(), O_RDONLY) >= 0 || errno != EACCES) return 15;
    if (::open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES) return 16;
    return 0;
  });
  EXPECT_EQ(o.signal, 0);
  EXPECT_EQ(o.exit_code, 0);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(outside);
}

TEST(Sandbox, OtherDescriptorsAreClosed) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  SandboxOptions so;
  char tmpl[] = "/tmp/qscan-sbx-XXXXXX";
  so.scratch_dir = ::mkdtemp(tmpl);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(so.scratch_dir->c_str(), 65534, 65534), 0);
  }
  // The scan profile allows write() on any fd, so only the closing stops this one.
  Outcome o = run_sandboxed(WorkerKind::kScan, so, [&](int) {
    return ::write(p[1], "x", 1) < 0 && errno == EBADF ? 0 : 1;
  });
  EXPECT_EQ(o.exit_code, 0);
  ::close(p[0]);
  ::close(p[1]);
  std::filesystem::remove_all(*so.scratch_dir);
}

TEST(Sandbox, ScanWorkerTempFilesAreSizeLimited) {
  if (landlock_abi() == 0) GTEST_SKIP() << "Landlock not available on this kernel";
  char tmpl[] = "/tmp/qscan-sbx-XXXXXX";
  SandboxOptions so;
  so.scratch_dir = ::mkdtemp(tmpl);
  so.max_file_size = 1024;
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(so.scratch_dir->c_str(), 65534, 65534), 0);
  }
  Outcome o = run_sandboxed(WorkerKind::kScan, so, [&](int) {
    int fd = ::open((*so.scratch_dir + "/big").c_str(), O_CREAT | O_WRONLY, 0600);
    std::string block(4096, 'x');
    // The first write stops at the limit (a short write); the next one is the signal.
    if (fd < 0 || ::write(fd, block.data(), block.size()) != 1024) return 1;
    return ::write(fd, block.data(), block.size()) < 0 ? 2 : 3;
  });
  EXPECT_EQ(o.signal, SIGXFSZ);
  std::filesystem::remove_all(*so.scratch_dir);
}

TEST(Sandbox, AddressSpaceLimitHolds) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "RLIMIT_AS is not applied under AddressSanitizer";
#endif
  SandboxOptions so;
  so.address_space_bytes = 256ull << 20;
  Outcome o = run_sandboxed(WorkerKind::kDecode, so, [](int) {
    void* p = std::malloc(512ull << 20);
    return p == nullptr ? 0 : 1;
  });
  EXPECT_EQ(o.signal, 0);
  EXPECT_EQ(o.exit_code, 0);
}

TEST(Sandbox, DaemonClientMayOnlyTalkOnItsSocket) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  SandboxOptions so;
  so.peer_fd = sv[1];
  Outcome ok = run_sandboxed(WorkerKind::kDaemonClient, so, [&](int) {
    const char m[] = "PING";
    iovec iov{const_cast<char*>(m), 4};
    msghdr h{};
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    return ::sendmsg(sv[1], &h, MSG_NOSIGNAL) == 4 ? 0 : 1;
  });
  EXPECT_EQ(ok.exit_code, 0) << "signal " << ok.signal;
  char buf[4];
  EXPECT_EQ(::recv(sv[0], buf, 4, MSG_DONTWAIT), 4);
  Outcome bad = run_sandboxed(WorkerKind::kDaemonClient, so, [&](int) {
    msghdr h{};
    return ::sendmsg(sv[0], &h, MSG_NOSIGNAL) >= 0 ? 0 : 1;  // not its socket (closed anyway)
  });
  EXPECT_EQ(bad.signal, SIGSYS);
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(Sandbox, PseudoFilterCodeComesFromTheRules) {
  SandboxOptions so;
  so.result_fd = 7;
  const std::string pfc = export_pfc(WorkerKind::kDecode, so, true);
  EXPECT_NE(pfc.find("KILL_PROCESS"), std::string::npos) << pfc;
  EXPECT_NE(pfc.find("write"), std::string::npos);
  EXPECT_EQ(pfc.find("openat"), std::string::npos);
  EXPECT_NE(export_pfc(WorkerKind::kScan, so, true).find("openat"), std::string::npos);
}

}  // namespace
}  // namespace qscan::hardening
