#pragma once

namespace qscan::supervisor {

inline constexpr const char* kVersion = "0.1.0";
// How qscan names itself in the scan-report headers, where Qmail-Scanner wrote
// "qmail-scanner-2.11": header-reading tools key on the "with <product>" token.
inline constexpr const char* kProductTag = "qscan-0.1.0";

}  // namespace qscan::supervisor
