#pragma once

#include <string>
#include <string_view>

namespace qscan::tools {

// A JSON string literal (quotes included), escaping control and non-ASCII-safe bytes.
std::string json_string(std::string_view s);

}  // namespace qscan::tools
