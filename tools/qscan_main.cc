// qscan: the administration command. Subcommands are dispatched here; each lives in its
// own file.
#include <iostream>
#include <string>
#include <vector>

#include "tools/check_command.h"
#include "tools/cleanup_command.h"
#include "tools/hardening_command.h"
#include "tools/policy_command.h"
#include "tools/quarantine_command.h"
#include "tools/stats_command.h"
#include "tools/test_install_command.h"

namespace {

void usage() {
  std::cerr
      << "usage: qscan [--config FILE] COMMAND [ARGS]\n"
         "commands:\n"
         "  check FILE [--envelope-from A] [--rcpt B]... [--json]\n"
         "      run the full sandboxed pipeline over FILE without delivering; print the verdict\n"
         "  hardening show [--worker NAME] [--format table|markdown|pfc|json]\n"
         "      print each worker's sandbox: seccomp rules and their groups, limits, layers\n"
         "  selftest [--worker NAME] [--json]\n"
         "      sandbox a worker per profile and try every forbidden operation\n"
         "  policy check|compile|show FILE [-o OUT]\n"
         "      validate, compile (to FILE.compiled) or list a quarantine-attachments.txt\n"
         "  quarantine list [--class viruses|policy|spam] [--since 2d] [--json]\n"
         "  quarantine show|delete ID      quarantine release ID [--to ADDR]... [--force]\n"
         "      list, inspect (never the payload), re-inject (not rescanned) or remove\n"
         "  cleanup [--dry-run]\n"
         "      remove work files older than 30 h and quarantine older than quarantine_days\n"
         "  test-install [--entry PATH]\n"
         "      send clean, Eicar.com, EICAR and GTUBE messages through the entry point\n"
         "  stats [--since 7d] [--log FILE] [--syslog FILE] [--svg DIR] [--json]\n"
         "      per-hour and per-day counts from mailstats.csv or syslog; SVG line charts\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string config_path;
  while (!args.empty() && args.front().starts_with("--config")) {
    if (args.front() == "--config" && args.size() >= 2) {
      config_path = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else if (args.front().starts_with("--config=")) {
      config_path = args.front().substr(9);
      args.erase(args.begin());
    } else {
      usage();
      return 2;
    }
  }
  if (args.empty()) {
    usage();
    return 2;
  }
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "check") return qscan::tools::check_command(args, config_path);
  if (cmd == "hardening") return qscan::tools::hardening_command(args, config_path);
  if (cmd == "selftest") return qscan::tools::selftest_command(args, config_path);
  if (cmd == "policy") return qscan::tools::policy_command(args, config_path);
  if (cmd == "quarantine") return qscan::tools::quarantine_command(args, config_path);
  if (cmd == "cleanup") return qscan::tools::cleanup_command(args, config_path);
  if (cmd == "test-install") return qscan::tools::test_install_command(args, config_path);
  if (cmd == "stats") return qscan::tools::stats_command(args, config_path);
  usage();
  return 2;
}
