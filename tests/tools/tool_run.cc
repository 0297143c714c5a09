#include "tests/tools/tool_run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace qscan::testing::tools {
namespace fs = std::filesystem;

std::string bin_dir() { return std::string(QSCAN_BINARY_DIR) + "/bin"; }
std::string qscan_path() { return bin_dir() + "/qscan"; }
std::string sample(const std::string& name) {
  return read_file(std::string(QSCAN_SOURCE_DIR) + "/samples/" + name);
}
std::string eicar_string() {
  std::string s = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
  s += "EICAR-STANDARD-ANTIVIRUS";
  s += "-TEST-FILE!$H+H*";
  return s;
}
bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

void set_age(const std::string& path, std::time_t age_seconds) {
  const std::time_t t = std::time(nullptr) - age_seconds;
  timespec ts[2] = {{t, 0}, {t, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
    throw std::runtime_error("utimensat " + path);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

ToolResult run_tool(const std::string& binary, const std::vector<std::string>& args,
                    const EnvList& env) {
  TempDir io("qscan-tool-io");
  const std::string out_path = io.path() + "/out", err_path = io.path() + "/err";
  std::vector<std::string> env_strings;
  for (char** p = environ; *p; ++p) {
    std::string s = *p;
    bool over = false;
    for (const auto& [k, v] : env) over = over || s.starts_with(k + "=");
    if (!over) env_strings.push_back(s);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0) ::_exit(127);
    ::dup2(in, 0), ::dup2(o, 1), ::dup2(e, 2);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  ToolResult r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

Sandbox::Sandbox(const std::string& extra_config) { write_config(extra_config); }

void Sandbox::write_config(const std::string& extra) {
  paths_.write_config("notify = [\"none\"]\n" + extra);
}

RunResult Sandbox::inject(const std::string& message, const std::string& sender,
                          const std::vector<std::string>& rcpts, const EnvList& env) {
  EnvList all = {{"QSCAN_CONFIG", config_}, {"FAKE_QMAIL_QUEUE_DIR", store_}};
  all.insert(all.end(), env.begin(), env.end());
  return run_qmail_queue_protocol(bin_dir() + "/qmail-scanner-queue", {}, message,
                                  make_envelope(sender, rcpts), all);
}

ToolResult Sandbox::qscan(const std::vector<std::string>& args, const EnvList& env) {
  std::vector<std::string> a = {"--config", config_};
  a.insert(a.end(), args.begin(), args.end());
  EnvList all = {{"FAKE_QMAIL_QUEUE_DIR", store_}};
  all.insert(all.end(), env.begin(), env.end());
  return run_tool(qscan_path(), a, all);
}

}  // namespace qscan::testing::tools
