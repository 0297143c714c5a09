// After init_decoders() the decoders must not touch the filesystem: a child process
// with a seccomp filter that kills on every path-based syscall decodes the whole corpus,
// the ClamAV test containers and messages in many charsets, and must exit normally.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "tests/workers/decode_test_util.h"

namespace qscan::workers::testing {
namespace {

void forbid_files() {
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
  for (int sc : {SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
                 SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access), SCMP_SYS(faccessat),
                 SCMP_SYS(faccessat2), SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(execve),
                 SCMP_SYS(execveat), SCMP_SYS(socket), SCMP_SYS(statx)})
    seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, sc, 0);
  // fstat() is newfstatat(fd, "", AT_EMPTY_PATH); anything naming a path is fatal.
  seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, SCMP_SYS(newfstatat), 1,
                   SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
  if (seccomp_load(f) != 0) _exit(3);
  seccomp_release(f);
}

std::vector<std::string> inputs() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(QSCAN_CORPUS_DIR) + "/public/msg"))
    if (e.is_regular_file()) out.push_back(read_file(e.path().string()));
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(QSCAN_CORPUS_DIR) + "/public/raw"))
    if (e.is_regular_file() && e.file_size() < (8 << 20))
      out.push_back(wrap_attachment(read_file(e.path().string()), e.path().filename().string()));
  if (std::filesystem::exists("/usr/share/clamav-testfiles"))
    for (const auto& e : std::filesystem::directory_iterator("/usr/share/clamav-testfiles"))
      out.push_back(wrap_attachment(read_file(e.path().string()), e.path().filename().string()));
  std::string charsets = "Subject: ";
  for (const char* cs : {"iso-8859-1", "iso-8859-2", "iso-8859-15", "windows-1251", "windows-1252",
                         "koi8-r", "iso-2022-jp", "shift_jis", "euc-jp", "euc-kr", "gb2312", "gbk",
                         "gb18030", "big5", "utf-7", "x-unknown"})
    charsets += std::string("=?") + cs + "?B?" + "QUJD" + "?= ";
  out.push_back(charsets + "\nFrom: =?koi8-r?Q?=F0=D2=C9=D7=C5=D4?= <a@b>\n\nbody\n");
  return out;
}

TEST(DecodeSandbox, NoFileSyscallsAfterInit) {
  init_decoders();
  std::vector<std::string> msgs = inputs();  // read before the filter goes on
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    forbid_files();
    std::vector<std::byte> region(64 << 20);
    for (const std::string& m : msgs) {
      ipc::ArenaWriter w(region);
      run_decode(std::span(reinterpret_cast<const std::byte*>(m.data()), m.size()), {}, w);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status)
                                 << " (SIGSYS = a forbidden file syscall)";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace qscan::workers::testing
