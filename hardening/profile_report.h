// `qscan hardening show`: the profiles as an auditor reads them, generated from the same
// tables enter_sandbox() installs. The markdown form is what docs/hardening.md embeds (a
// test fails when the doc and the code differ).
#pragma once

#include <string>

#include "hardening/sandbox.h"

namespace qscan::hardening {

// What this kernel lets us use, found by trying in a throwaway child.
struct LayerSupport {
  bool namespaces = false;
  bool user_namespace = false;
  int landlock_abi = 0;
  bool running_as_root = false;
};
LayerSupport probe_layer_support();

// The syscall groups and why each exists, as a markdown table.
std::string groups_markdown();
// Deterministic (kernel-independent) tables: seccomp rules, groups, limits, layers.
std::string profile_markdown(WorkerKind kind, const SandboxOptions& options);
// Markdown tables plus what this machine makes active.
std::string profile_table(WorkerKind kind, const SandboxOptions& options,
                          const LayerSupport& support);
std::string profile_json(WorkerKind kind, const SandboxOptions& options,
                         const LayerSupport& support);

}  // namespace qscan::hardening
