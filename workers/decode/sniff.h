// Content sniffing: a leaf's real type from its leading bytes, whatever it claims to be.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace qscan::workers::decode {

// One of: pe elf script zip rar 7z gzip bzip2 xz zstd cab arj cpio tar ar xar iso lha ole2
// pdf png gif jpeg bmp tiff tnef rtf wav chm szdd binhex text unknown ("empty" for no bytes).
std::string_view sniff_type(std::span<const std::byte> data);

// True for types libarchive may open (archives and single-file compressors).
bool is_archive_type(std::string_view type);

// True for types that hold executable code a Windows host would run as is.
inline bool is_windows_executable(std::string_view type) { return type == "pe"; }

}  // namespace qscan::workers::decode
