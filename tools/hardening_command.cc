#include "tools/hardening_command.h"

#include <iostream>
#include <optional>

#include "hardening/profile_report.h"
#include "hardening/seccomp_profile.h"
#include "hardening/selftest.h"
#include "hardening/worker_identity.h"
#include "policy/config.h"

namespace qscan::tools {
namespace {

struct Options {
  std::vector<hardening::WorkerKind> kinds = hardening::all_worker_kinds();
  std::string format = "table";
  bool ok = true;
};

Options parse(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--worker" && i + 1 < args.size()) {
      auto k = hardening::worker_kind_from_name(args[++i]);
      if (!k) {
        std::cerr << "qscan: unknown worker '" << args[i] << "' (decode, scan, daemon-client)\n";
        o.ok = false;
      } else {
        o.kinds = {*k};
      }
    } else if (a == "--format" && i + 1 < args.size()) {
      o.format = args[++i];
    } else if (a == "--json") {
      o.format = "json";
    } else {
      std::cerr << "qscan: unexpected argument '" << a << "'\n";
      o.ok = false;
    }
  }
  return o;
}

// The sandbox options production derives from the config (limits, worker uid).
std::optional<hardening::SandboxOptions> production_options(const std::string& config_path) {
  policy::ConfigError err;
  auto cfg = policy::load_config(config_path, &err);
  if (!cfg) {
    std::cerr << "qscan: " << err.to_string() << "\n";
    return std::nullopt;
  }
  hardening::SandboxOptions o;
  o.address_space_bytes = cfg->worker_memory_mb << 20;
  o.cpu_seconds = cfg->worker_cpu_seconds;
  if (auto id = hardening::resolve_worker_user(cfg->worker_user)) {
    o.worker_uid = id->uid;
    o.worker_gid = id->gid;
  }
  return o;
}

}  // namespace

int hardening_command(const std::vector<std::string>& args, const std::string& config_path) {
  if (args.empty() || args.front() != "show") {
    std::cerr << "usage: qscan hardening show [--worker decode|scan|daemon-client] "
                 "[--format table|markdown|pfc|json]\n";
    return 2;
  }
  Options o = parse({args.begin() + 1, args.end()});
  if (!o.ok) return 2;
  auto so = production_options(config_path);
  if (!so) return 2;
  if (o.format == "markdown") {
    // The deterministic tables docs/hardening.md embeds (defaults, kernel-independent).
    if (o.kinds.size() > 1)
      std::cout << "### Syscall groups\n\n" << hardening::groups_markdown() << "\n";
    for (auto k : o.kinds) std::cout << hardening::profile_markdown(k, *so) << "\n";
    return 0;
  }
  const hardening::LayerSupport support = hardening::probe_layer_support();
  bool first = true;
  if (o.format == "json") std::cout << "[";
  for (auto k : o.kinds) {
    if (o.format == "table") {
      std::cout << hardening::profile_table(k, *so, support) << "\n";
    } else if (o.format == "json") {
      std::cout << (first ? "" : ",") << hardening::profile_json(k, *so, support);
    } else if (o.format == "pfc") {
      hardening::SandboxOptions pfc_opts = *so;
      pfc_opts.result_fd = 3;  // as in production: the first descriptor after 0-2
      pfc_opts.peer_fd = 4;
      std::cout << "# worker " << hardening::worker_name(k) << "\n"
                << hardening::export_pfc(k, pfc_opts, support.landlock_abi > 0);
    } else {
      std::cerr << "qscan: unknown format '" << o.format << "'\n";
      return 2;
    }
    first = false;
  }
  if (o.format == "json") std::cout << "]\n";
  return 0;
}

int selftest_command(const std::vector<std::string>& args, const std::string& config_path) {
  Options o = parse(args);
  if (!o.ok) return 2;
  auto so = production_options(config_path);
  if (!so) return 2;
  const auto results = hardening::run_selftest(o.kinds, *so);
  const bool passed = hardening::selftest_passed(results);
  if (o.format == "json") {
    std::cout << "{\"passed\":" << (passed ? "true" : "false") << ",\"probes\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      std::cout << (i ? "," : "") << "{\"worker\":\"" << hardening::worker_name(r.kind)
                << "\",\"probe\":\"" << r.probe << "\",\"outcome\":\""
                << hardening::outcome_name(r.outcome) << "\",\"detail\":\"" << r.detail << "\"}";
    }
    std::cout << "]}\n";
  } else {
    for (const auto& r : results)
      std::cout << hardening::worker_name(r.kind) << "\t" << r.probe << "\t"
                << hardening::outcome_name(r.outcome) << "\t" << r.detail << "\n";
    std::cout << (passed ? "selftest passed: nothing forbidden was allowed\n"
                         : "SELFTEST FAILED: a forbidden operation was allowed or a probe "
                           "could not run\n");
  }
  return passed ? 0 : 1;
}

}  // namespace qscan::tools
