// Test-only fault hooks, compiled in only with QSCAN_TEST_HOOKS. QSCAN_TEST_FAULT names
// "<worker>:<fault>", e.g. "decode:open": after sandboxing, that worker performs the
// forbidden operation (or hangs, crashes, corrupts its arena) so tests can watch the
// supervisor handle it. Production builds ignore the variable.
#pragma once

#include <string>
#include <string_view>

#include "hardening/sandbox.h"
#include "ipc/arena_writer.h"

namespace qscan::supervisor {

// Read before forking (the worker cannot read its environment after sandboxing: that
// needs no syscall, but keep the lookup out of the sandboxed path anyway).
std::string_view test_fault_for(hardening::WorkerKind kind);

// Performs the fault in the sandboxed child. Returns only for faults that let the worker
// go on (arena corruption is applied after the job, see apply_arena_fault).
// `scratch_dir`: the scan worker's (fault "litter" leaves files there).
void trigger_fault_before_job(std::string_view fault, const std::string& scratch_dir = {});
void apply_arena_fault(std::string_view fault, std::span<std::byte> arena);

// After the completion byte: "crash-after-report" dies by SIGSEGV; "write-after-report"
// waits a moment, then corrupts the arena and exits 0.
void after_report_fault(std::string_view fault, std::span<std::byte> arena);

}  // namespace qscan::supervisor
