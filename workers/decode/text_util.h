// Small string helpers shared by the decoders: bounded UTF-8, case folding.
#pragma once

#include <string>
#include <string_view>

namespace qscan::workers::decode {

// At most `max` bytes, cut on a UTF-8 boundary, NUL bytes replaced by U+FFFD-free '?'
// (the arena refuses NUL inside strings).
std::string bounded_utf8(std::string_view s, std::size_t max);

std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
bool iends_with(std::string_view s, std::string_view suffix);

}  // namespace qscan::workers::decode
