#include "hardening/profile_report.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardening/landlock.h"
#include "hardening/seccomp_profile.h"

namespace qscan::hardening {
namespace {

std::string action_text(const SyscallRule& r) {
  return r.needs_landlock ? "allow under Landlock, else EACCES" : "allow";
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string fds_text(WorkerKind kind) {
  return kind == WorkerKind::kDaemonClient
             ? "result pipe (write end), daemon socket, sealed message memfd (clamd FILDES only)"
             : "result pipe (write end)";
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

}  // namespace

LayerSupport probe_layer_support() {
  LayerSupport s;
  s.running_as_root = ::geteuid() == 0;
  s.landlock_abi = landlock_abi();
  const int base = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int flags = attempt == 0 ? base | CLONE_NEWUSER : base;
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(::unshare(flags) == 0 ? 0 : 1);
    int status = 1;
    if (pid > 0) ::waitpid(pid, &status, 0);
    const bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (attempt == 0) s.user_namespace = ok;
    s.namespaces = s.namespaces || ok;
  }
  return s;
}

std::string groups_markdown() {
  std::string t = "| group | why |\n|---|---|\n";
  for (const auto& g : syscall_groups()) t += "| " + g.name + " | " + g.why + " |\n";
  return t;
}

std::string profile_markdown(WorkerKind kind, const SandboxOptions& o) {
  std::string t;
  t += "#### Worker `" + std::string(worker_name(kind)) + "`\n\n";
  t += "Default action: **KILL_PROCESS** (the whole worker dies with SIGSYS).\n\n";
  t += "| syscall | group | condition | action |\n|---|---|---|---|\n";
  for (const auto& r : seccomp_rules(kind)) {
    const std::string cond = describe_check(r.check);
    t += "| `" + r.syscall + "` | " + r.group + " | " + (cond.empty() ? "any" : cond) + " | " +
         action_text(r) + " |\n";
  }
  const LandlockPlan lp = landlock_plan(6, kind == WorkerKind::kScan);
  t += "\n| layer | setting |\n|---|---|\n";
  t += "| RLIMIT_AS | " + mib(o.address_space_bytes) + " (config worker_memory_mb) |\n";
  t += "| RLIMIT_CPU | " + std::to_string(o.cpu_seconds) + " s (config worker_cpu_seconds) |\n";
  t += "| RLIMIT_NOFILE | " + std::to_string(open_files_limit(kind)) + " |\n";
  t += "| RLIMIT_FSIZE | " +
       std::string(kind == WorkerKind::kScan ? "config max_decoded_bytes (temp files)" : "0") +
       " |\n";
  t += "| RLIMIT_CORE | 0 |\n";
  t += "| namespaces | user (when not root), network, IPC, mount, UTS, PID |\n";
  t += "| capabilities | none (effective, permitted, inheritable, ambient, bounding) |\n";
  t += "| uid | config worker_user when the supervisor is root (qscand keeps "
       "CAP_SETUID/CAP_SETGID/CAP_CHOWN for this when it leaves root), else the supervisor's |\n";
  t += "| no_new_privs / dumpable | 1 / 0 |\n";
  t += "| parent death | SIGKILL |\n";
  t += "| Landlock filesystem | no rights anywhere";
  if (lp.scratch_rights) t += "; beneath the scratch dir: " + describe_fs_rights(lp.scratch_rights);
  t += " |\n";
  t += "| Landlock network (ABI 4+) | no TCP bind, no TCP connect |\n";
  t += "| Landlock scopes (ABI 6+) | no signals outside the worker, no abstract unix sockets |\n";
  t += "| fds kept | " + fds_text(kind) + " |\n";
  return t;
}

std::string profile_table(WorkerKind kind, const SandboxOptions& o, const LayerSupport& s) {
  std::string t = profile_markdown(kind, o);
  t += "\nOn this machine: namespaces " + std::string(s.namespaces ? "active" : "NOT available") +
       ", user namespace " + (s.user_namespace ? "active" : "not available") + ", Landlock " +
       (s.landlock_abi ? "active (ABI " + std::to_string(s.landlock_abi) + ")"
                       : std::string("NOT available")) +
       ", worker uid " + (s.running_as_root ? "switched (running as root)" : "inherited") + "\n";
  return t;
}

std::string profile_json(WorkerKind kind, const SandboxOptions& o, const LayerSupport& s) {
  std::string j = "{\"worker\":\"" + std::string(worker_name(kind)) +
                  "\",\"default_action\":\"KILL_PROCESS\",\"syscalls\":[";
  bool first = true;
  for (const auto& r : seccomp_rules(kind)) {
    j += std::string(first ? "" : ",") + "{\"name\":\"" + r.syscall + "\",\"group\":\"" + r.group +
         "\",\"condition\":\"" + json_escape(describe_check(r.check)) + "\",\"action\":\"" +
         action_text(r) + "\"}";
    first = false;
  }
  const LandlockPlan lp = landlock_plan(s.landlock_abi, kind == WorkerKind::kScan);
  j += "],\"rlimits\":{\"as_bytes\":" + std::to_string(o.address_space_bytes) +
       ",\"cpu_seconds\":" + std::to_string(o.cpu_seconds) +
       ",\"nofile\":" + std::to_string(open_files_limit(kind)) + ",\"core\":0}";
  j += ",\"namespaces\":{\"active\":" + std::string(s.namespaces ? "true" : "false") +
       ",\"user\":" + (s.user_namespace ? "true" : "false") +
       ",\"list\":[\"net\",\"ipc\",\"mnt\",\"uts\",\"pid\"]}";
  j += ",\"capabilities\":[],\"landlock\":{\"abi\":" + std::to_string(s.landlock_abi) +
       ",\"handled_fs\":\"" + describe_fs_rights(lp.handled_fs) + "\",\"scratch_rights\":\"" +
       (lp.scratch_rights ? describe_fs_rights(lp.scratch_rights) : "") + "\"}";
  j += ",\"fds_kept\":\"" + fds_text(kind) + "\"}";
  return j;
}

}  // namespace qscan::hardening
