// Format checks on a leaf's declared names and type: differing_filenames,
// exe_ext_in_nonexec_type, exe_not_application, long_filename, double_extension,
// clsid_extension.
#pragma once

#include <string_view>

#include "workers/decode/context.h"

namespace qscan::workers::decode {

void run_name_checks(Context& ctx, const Blob& blob, std::string_view detected_type);

// Exposed for tests.
bool is_double_barrelled(std::string_view filename);
bool has_clsid_extension(std::string_view filename);

}  // namespace qscan::workers::decode
